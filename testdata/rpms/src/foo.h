#ifndef FOO_H
#define FOO_H
/* foo_greeting returns a static greeting naming the library's version. */
const char *foo_greeting(void);
#endif
