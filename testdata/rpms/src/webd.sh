#!/bin/sh
# webd: a stand-in daemon used by slipway's test repositories.
echo "webd serving /var/lib/webd/htdocs"
