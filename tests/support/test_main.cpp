// doctest's main, plus: this test process is a child subreaper
// (PR_SET_CHILD_SUBREAPER), so every process a lab orphans is re-parented to
// it and reaped by the harness instead of being left to init; and a run in
// which no test case passed the filters fails (one program holds the tests of
// many files, and Meson runs each file's with --source-file: a filter that
// matches nothing must not pass as "no failure").
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/prctl.h>

#include <cstdio>

namespace {

unsigned matched = 0;  // test cases that passed the filters in the last run

// Listens to the run only for its count of test cases passing the filters.
struct filter_count : doctest::IReporter {
  explicit filter_count(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& stats) override {
    matched = stats.numTestCasesPassingFilters;
  }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("filter_count", 1, filter_count);

}  // namespace

int main(int argc, char** argv) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  ::signal(SIGPIPE, SIG_IGN);  // a lab that dies early must not kill the test
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (result == 0 && !context.shouldExit() && matched == 0) {
    std::fprintf(stderr, "no test case passed the filters: nothing was tested\n");
    return 1;
  }
  return result;
}
