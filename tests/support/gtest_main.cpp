// The main of the test programs that can skip as a whole (no root for the network namespaces, no
// SWARMLINE_TEST_DATABASE_URL): GoogleTest's own main exits 0 when every test skipped, which meson
// would report as a pass. When tests ran and all of them skipped, this one exits 77, meson's code
// for a skipped test; otherwise it returns what RUN_ALL_TESTS did.
#include <gtest/gtest.h>

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    const int result = RUN_ALL_TESTS();
    const ::testing::UnitTest& run = *::testing::UnitTest::GetInstance();
    // A failure outside any test (a suite's set-up, an environment) makes result non-zero.
    if (result == 0 && run.skipped_test_count() > 0 && run.successful_test_count() == 0 && run.failed_test_count() == 0)
        return 77;
    return result;
}
