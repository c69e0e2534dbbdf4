/* test_gfp.c - gfp_mask decoding by era against the names real kernels
 * printed (%pGg) for the same hex in real logs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "explain/gfp.h"

static char buf[256];

static void same_hex_different_eras(void **state)
{
	(void)state;
	assert_string_equal(gfp_decode(0x201da, GFP_ERA_3_X, buf, sizeof(buf)), "GFP_HIGHUSER_MOVABLE|__GFP_COLD");
	assert_string_equal(gfp_decode(0x14201ca, GFP_ERA_4_10, buf, sizeof(buf)), "GFP_HIGHUSER_MOVABLE|__GFP_COLD");
	assert_string_equal(gfp_decode(0x24201ca, GFP_ERA_4_4, buf, sizeof(buf)), "GFP_HIGHUSER_MOVABLE|__GFP_COLD");
	assert_string_equal(gfp_decode(0x6000c0, GFP_ERA_4_18, buf, sizeof(buf)), "GFP_KERNEL");
	assert_string_equal(gfp_decode(0x100cca, GFP_ERA_5_1, buf, sizeof(buf)), "GFP_HIGHUSER_MOVABLE");
	assert_string_equal(gfp_decode(0xcc0, GFP_ERA_5_1, buf, sizeof(buf)), "GFP_KERNEL");
	assert_string_equal(gfp_decode(0x100dca, GFP_ERA_5_1, buf, sizeof(buf)), "GFP_HIGHUSER_MOVABLE|__GFP_ZERO");
	assert_string_equal(gfp_decode(0xd0, GFP_ERA_2_6_32, buf, sizeof(buf)), "GFP_KERNEL");
	/* 5.14-5.18's 0x1100cca: a bit this table does not name is kept as hex */
	assert_string_equal(gfp_decode(0x1100cca, GFP_ERA_5_1, buf, sizeof(buf)), "GFP_HIGHUSER_MOVABLE|0x1000000");
	assert_string_equal(gfp_decode(0, GFP_ERA_5_1, buf, sizeof(buf)), "");
}

static void era_from_release_and_guess(void **state)
{
	(void)state;
	assert_int_equal(gfp_era_of_release("2.6.32-279.1.1.el6.i686"), GFP_ERA_3_X);
	assert_int_equal(gfp_era_of_release("2.6.32.28"), GFP_ERA_2_6_32);
	assert_int_equal(gfp_era_of_release("3.10.0-1160.el7.x86_64"), GFP_ERA_3_X);
	assert_int_equal(gfp_era_of_release("4.14.173-137.229.amzn2.x86_64"), GFP_ERA_4_10);
	assert_int_equal(gfp_era_of_release("4.19.0-20-amd64"), GFP_ERA_4_18);
	assert_int_equal(gfp_era_of_release("6.18.44-fc-v595"), GFP_ERA_5_1);
	assert_int_equal(gfp_era_of_release("bogus"), -1);
	assert_int_equal(gfp_era_guess(0x24201ca), GFP_ERA_4_4);
	assert_int_equal(gfp_era_guess(0x14201ca), GFP_ERA_4_10);
	assert_int_equal(gfp_era_guess(0x6200ca), GFP_ERA_4_18);
	assert_int_equal(gfp_era_guess(0x100cca), GFP_ERA_5_1);
	assert_int_equal(gfp_era_guess(0x201da), GFP_ERA_3_X);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_hex_different_eras),
		cmocka_unit_test(era_from_release_and_guess),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
