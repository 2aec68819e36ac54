#!/bin/sh
# webctl: a stand-in setuid control tool.
echo "webctl: ok"
