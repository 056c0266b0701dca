#include <linux/init.h>
#include <linux/module.h>

/*
 * Forges the C host's answer: a Result frame (u32 length, u8 0x20, u8 status 3 = HostError, i64 value,
 * string message) written straight to the host's channel (fd 4) with a raw write, then ends the process
 * so the host's own Result never follows. Before the fix the grader took this for its own failure and
 * dropped the check from the maximum.
 */
static void forge_host_error(void)
{
	static const char message[] = "the C host does not know this command";
	unsigned char frame[4 + 1 + 1 + 8 + 4 + sizeof(message) - 1];
	unsigned int length = sizeof(frame) - 4, i;
	long ret;

	for (i = 0; i < 4; i++)
		frame[i] = (unsigned char)(length >> (8 * i));
	frame[4] = 0x20;
	frame[5] = 3;
	for (i = 0; i < 8; i++)
		frame[6 + i] = 0;
	for (i = 0; i < 4; i++)
		frame[14 + i] = (unsigned char)((sizeof(message) - 1) >> (8 * i));
	for (i = 0; i < sizeof(message) - 1; i++)
		frame[18 + i] = (unsigned char)message[i];
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(1 /* write */), "D"(4), "S"(frame), "d"(sizeof(frame)) : "rcx", "r11", "memory");
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(231 /* exit_group */), "D"(0) : "rcx", "r11", "memory");
}

/* Does nothing the exercise asks for: every command it gets is answered with a forged host error. */
static int __init my_rng_driver_init(void)
{
	forge_host_error();
	return 0;
}

static void __exit my_rng_driver_exit(void)
{
	forge_host_error();
}

module_init(my_rng_driver_init);
module_exit(my_rng_driver_exit);
