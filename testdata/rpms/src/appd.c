#include <stdio.h>
#include "foo.h"

int main(void)
{
	printf("appd: %s\n", foo_greeting());
	return 0;
}
