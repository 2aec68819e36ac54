#include "foo.h"

const char *foo_greeting(void)
{
	return "hello from libfoo.so.1";
}
