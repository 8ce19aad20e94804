// scripts/zombies.sh and scripts/ptree.sh, checked against a live lab02.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/syscall.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "os/proc.hpp"
#include "scoped_env.hpp"

using namespace harness;

namespace {

std::string script(const std::string& name) {
  const char* dir = std::getenv("FORKLAB_SCRIPTS_DIR");
  REQUIRE(dir);
  return std::string(dir) + "/" + name;
}

struct ps_row {
  pid_t pid = 0, ppid = 0, pgid = 0;
  std::string stat;
};

// The rows of ps output (header skipped): PID PPID PGID STAT ...
std::vector<ps_row> rows_of(const std::vector<std::string>& lines) {
  std::vector<ps_row> rows;
  for (const auto& line : lines) {
    std::istringstream fields(line);
    ps_row row;
    if (fields >> row.pid >> row.ppid >> row.pgid >> row.stat) rows.push_back(row);
  }
  return rows;
}

// lab02 with two zombie children, held until the test ends.
struct zombie_lab {
  lab_process lab{"lab02-zombie", {"--children", "2", "--hold", "60"}};
  std::vector<pid_t> children;
  zombie_lab() {
    lab.expect("tree");
    for (pid_t pid : lab::children_of(lab.pid())) children.push_back(pid);
    REQUIRE(children.size() == 2);
    for (pid_t pid : children) REQUIRE(lab::read_proc(pid)->state == 'Z');
  }
};

// A tiny git repository with its own copy of scripts/mutants.sh: a one-file
// "lab" (lab01-double), its suite lab01 (which checks twice(21) == 42 only),
// and four mutants: one the suite kills, one it does not (it breaks a claim
// no test checks), one that no longer applies, one that does not build. TMPDIR
// points into the test's directory, to see that the scratch copy goes.
// A directory from mkdtemp, removed with everything in it at the end of its
// scope (also when what owns it fails to construct).
class temporary_directory {
 public:
  temporary_directory() {
    char pattern[] = "/tmp/forklab-mutants-test-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    path_ = pattern;
  }
  ~temporary_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temporary_directory(const temporary_directory&) = delete;
  temporary_directory& operator=(const temporary_directory&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class tiny_repository {
 public:
  tiny_repository() {
    const auto made = run_lab("/bin/sh", {"-c", setup, "sh", dir_, script("mutants.sh")},
                              {.json = false});
    std::string output;
    for (const auto& line : made.lines) output += line + "\n";
    REQUIRE_MESSAGE(WEXITSTATUS(made.status) == 0, output << made.stderr_text);
  }
  tiny_repository(const tiny_repository&) = delete;
  tiny_repository& operator=(const tiny_repository&) = delete;

  std::string repo() const { return dir_ + "/repo"; }
  std::string tmp() const { return dir_ + "/tmp"; }
  std::string mutants_script() const { return repo() + "/scripts/mutants.sh"; }
  bool tmp_empty() const { return std::filesystem::is_empty(tmp()); }
  // True once mutants.sh's scratch copy in tmp() has its build directory.
  bool scratch_build_started() const {
    for (const auto& entry : std::filesystem::directory_iterator(tmp()))
      if (std::filesystem::exists(entry.path() / "src" / "build")) return true;
    return false;
  }
  // What is left in tmp(), for failure messages.
  std::string left_in_tmp() const {
    std::string text;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp()))
      text += entry.path().string() + "\n";
    return text;
  }
  // git status of the repository: "" when nothing changed, nothing was added.
  std::string status() const {
    const auto run = run_lab("/usr/bin/git", {"-C", repo(), "status", "--porcelain",
                                              "--untracked-files=all", "--ignored"},
                             {.json = false});
    std::string text;
    for (const auto& line : run.lines) text += line + "\n";
    return text;
  }

 private:
  static constexpr const char* setup = R"(set -e
cd "$1"
mkdir -p repo/scripts repo/tests/mutants tmp
cp "$2" repo/scripts/mutants.sh
cd repo
cat >meson.build <<'END'
project('tiny', 'cpp')
lab01 = executable('lab01-double', 'lab01.cpp')
test('lab01', lab01, args : ['check'], suite : 'lab01')
END
cat >lab01.cpp <<'END'
#include <cstring>
// Claims: twice(x) is 2x (its suite checks it); label() is "tiny" (nothing checks it).
static int twice(int x) { return 2 * x; }
static const char* label() { return "tiny"; }
int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "check") == 0) return twice(21) == 42 ? 0 : 1;
  return label()[0] == 't' ? 0 : 1;
}
END
printf 'build/
' >.gitignore
git init -q .
git add -A
git -c user.email=test@forklab -c user.name=test commit -qm tiny
mutant() {
  sed -i "$2" lab01.cpp
  { echo "# claim: $3"; git diff; } >"tests/mutants/$1.patch"
  git checkout -q lab01.cpp
}
mutant lab01-twice-doubles 's/return 2 \* x;/return 3 * x;/' 'twice(x) is 2x'
mutant lab01-label-is-tiny 's/"tiny"/"tint"/' 'the label is tiny'
mutant lab01-does-not-compile 's/return 2 \* x;/return 2 * ;/' 'a broken mutant'
sed 's/-static int twice(int x) { return 2 \* x; }/-static int twice(int x) { return 5 * x; }/'   tests/mutants/lab01-twice-doubles.patch >tests/mutants/lab01-stale.patch
git add -A
git -c user.email=test@forklab -c user.name=test commit -qm mutants
)";
  temporary_directory directory_;
  const std::string& dir_ = directory_.path();
};

}  // namespace

TEST_CASE("mutants.sh: killed, SURVIVED, did not apply, did not build; the tree untouched") {
  tiny_repository tiny;
  const scoped_env tmpdir("TMPDIR", tiny.tmp().c_str());
  const std::string before = tiny.status();
  CHECK(before == "");
  const auto run = run_lab(tiny.mutants_script(), {}, {.json = false}, std::chrono::seconds(180));
  std::string output;
  for (const auto& line : run.lines) output += line + "\n";
  INFO(output << run.stderr_text);
  CHECK(WEXITSTATUS(run.status) == 1);
  const auto has = [&](const std::string& line) {
    return std::find(run.lines.begin(), run.lines.end(), line) != run.lines.end();
  };
  CHECK(has("killed           lab01-twice-doubles"));
  CHECK(has("SURVIVED         lab01-label-is-tiny"));
  CHECK(has("did not apply    lab01-stale"));
  CHECK(has("did not build    lab01-does-not-compile"));
  REQUIRE(run.lines.size() >= 2);
  CHECK(run.lines[run.lines.size() - 2] == "1 did not apply, 1 did not build");
  CHECK(run.lines.back() == "1 killed, 1 survived");  // last
  CHECK(tiny.status() == "");  // nothing changed, nothing added (not even build/)
  CHECK_FALSE(std::filesystem::exists(tiny.repo() + "/build"));
  CHECK(tiny.tmp_empty());  // the scratch copy is gone

  // --only: the one the suite kills, alone: exit 0.
  const auto only = run_lab(tiny.mutants_script(), {"--only", "twice"}, {.json = false},
                            std::chrono::seconds(180));
  CHECK(WEXITSTATUS(only.status) == 0);
  CHECK(only.lines == std::vector<std::string>{"killed           lab01-twice-doubles",
                                               "1 killed, 0 survived"});
  CHECK(tiny.tmp_empty());

  const auto none = run_lab(tiny.mutants_script(), {"--only", "no-such"}, {.json = false});
  CHECK(WEXITSTATUS(none.status) == 2);
  const auto bad = run_lab(tiny.mutants_script(), {"--timeout"}, {.json = false});
  CHECK(WEXITSTATUS(bad.status) == 2);
  CHECK(tiny.status() == "");
}

TEST_CASE("mutants.sh interrupted (Ctrl-C) removes its scratch copy and leaves no process") {
  tiny_repository tiny;
  const scoped_env tmpdir("TMPDIR", tiny.tmp().c_str());
  lab_process run(tiny.mutants_script(), {}, {.json = false});
  // The scratch copy is being built: the run is under way.
  REQUIRE(lab::poll_until([&] { return tiny.scratch_build_started(); }, std::chrono::seconds(30)));
  run.signal_group(SIGINT);  // Ctrl-C: the whole foreground group
  const int status = run.wait_exit(std::chrono::seconds(60));
  INFO("status " << status << "\n" << run.transcript());
  CHECK(((WIFEXITED(status) && WEXITSTATUS(status) == 130) ||
         (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT)));
  CHECK(run.group_gone());
  CHECK_MESSAGE(tiny.tmp_empty(), tiny.left_in_tmp() << run.transcript());
  CHECK(tiny.status() == "");
}

TEST_CASE("zombies.sh PID lists exactly the lab's zombies, by the STAT column") {
  zombie_lab z;
  const auto run = run_lab(script("zombies.sh"), {std::to_string(z.lab.pid())}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto rows = rows_of(run.lines);
  REQUIRE(rows.size() == 2);  // the lab itself (state S) is not listed
  for (const auto& row : rows) {
    CHECK(row.stat.front() == 'Z');
    CHECK(row.ppid == z.lab.pid());
    CHECK((row.pid == z.children[0] || row.pid == z.children[1]));
  }
}

TEST_CASE("zombies.sh with no PID finds the lab's zombies among the system's") {
  zombie_lab z;
  const auto run = run_lab(script("zombies.sh"), {}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  int found = 0;
  for (const auto& row : rows_of(run.lines)) {
    CHECK(row.stat.front() == 'Z');
    if (row.ppid == z.lab.pid()) ++found;
  }
  CHECK(found == 2);
}

TEST_CASE("zombies.sh reports none once the zombies are reaped") {
  const auto lab = run_lab("lab01-fork", {});  // reaps its child before exiting
  const auto run = run_lab(script("zombies.sh"), {std::to_string(::getpid())}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  CHECK(rows_of(run.lines).empty());
}

TEST_CASE("ptree.sh shows the lab and its zombie children as a forest") {
  zombie_lab z;
  const auto run = run_lab(script("ptree.sh"), {std::to_string(z.lab.pid())}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto rows = rows_of(run.lines);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].pid == z.lab.pid());
  CHECK(rows[0].stat.front() == 'S');
  for (std::size_t i = 1; i < rows.size(); ++i) {
    CHECK(rows[i].ppid == z.lab.pid());
    CHECK(rows[i].stat.front() == 'Z');
  }
}

TEST_CASE("the scripts refuse bad input with a message") {
  for (const char* name : {"zombies.sh", "ptree.sh"}) {
    CAPTURE(name);
    const auto not_a_pid = run_lab(script(name), {"abc"}, {.json = false});
    CHECK(WEXITSTATUS(not_a_pid.status) == 2);
    CHECK(not_a_pid.stderr_text.find("not a pid") != std::string::npos);
    // pid_max is at most 2^22: this pid cannot exist.
    const auto no_such = run_lab(script(name), {"9999999"}, {.json = false});
    CHECK(WEXITSTATUS(no_such.status) == 1);
    CHECK(no_such.stderr_text.find("no process") != std::string::npos);
  }
  const auto no_argument = run_lab(script("ptree.sh"), {}, {.json = false});
  CHECK(WEXITSTATUS(no_argument.status) == 2);
}

TEST_CASE("several pids: zombies.sh and ptree.sh show every tree, each process once") {
  zombie_lab first;
  zombie_lab second;
  const std::string a = std::to_string(first.lab.pid());
  const std::string b = std::to_string(second.lab.pid());

  const auto zombies = run_lab(script("zombies.sh"), {a, b}, {.json = false});
  CHECK(WEXITSTATUS(zombies.status) == 0);
  std::set<pid_t> listed;
  for (const auto& row : rows_of(zombies.lines)) {
    CHECK(row.stat.front() == 'Z');
    CHECK((row.ppid == first.lab.pid() || row.ppid == second.lab.pid()));
    listed.insert(row.pid);
  }
  CHECK(listed.size() == 4);  // two of each lab's, none twice

  const auto tree = run_lab(script("ptree.sh"), {a, b, a}, {.json = false});  // a twice: once
  CHECK(WEXITSTATUS(tree.status) == 0);
  const auto rows = rows_of(tree.lines);
  CHECK(rows.size() == 6);
  std::set<pid_t> shown;
  for (const auto& row : rows) shown.insert(row.pid);
  CHECK(shown.size() == 6);
  CHECK(shown.count(first.lab.pid()) == 1);
  CHECK(shown.count(second.lab.pid()) == 1);
  for (pid_t child : first.children) CHECK(shown.count(child) == 1);
  for (pid_t child : second.children) CHECK(shown.count(child) == 1);

  // One bad pid among good ones: refused as a whole.
  for (const char* name : {"zombies.sh", "ptree.sh"}) {
    CAPTURE(name);
    const auto mixed = run_lab(script(name), {a, "abc"}, {.json = false});
    CHECK(WEXITSTATUS(mixed.status) == 2);
    CHECK(mixed.lines.empty());
    CHECK(mixed.stderr_text.find("not a pid: abc") != std::string::npos);
  }
}

TEST_CASE("a thread id is refused clearly, naming its process (not ps's usage text)") {
  // A second thread of this test process: its id is a /proc entry, not a process.
  std::atomic<pid_t> tid{0};
  std::atomic<bool> done{false};
  std::thread thread([&] {
    tid = static_cast<pid_t>(::syscall(SYS_gettid));
    while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  });
  REQUIRE(lab::poll_until([&] { return tid != 0; }, std::chrono::seconds(5)));
  REQUIRE(tid != ::getpid());
  for (const char* name : {"zombies.sh", "ptree.sh"}) {
    CAPTURE(name);
    const auto run = run_lab(script(name), {std::to_string(tid)}, {.json = false});
    CHECK(WEXITSTATUS(run.status) == 2);
    CHECK(run.lines.empty());
    CHECK(run.stderr_text.find(std::to_string(tid) + " is a thread of process " +
                               std::to_string(::getpid())) != std::string::npos);
    CHECK(run.stderr_text.find("Usage") == std::string::npos);  // ps's usage text
    CHECK(run.stderr_text.find("simple selection") == std::string::npos);
  }
  // The process's own id is fine.
  const auto own = run_lab(script("ptree.sh"), {std::to_string(::getpid())}, {.json = false});
  CHECK(WEXITSTATUS(own.status) == 0);
  done = true;
  thread.join();
}

TEST_CASE("every script is clean under shellcheck") {
  const char* dir = std::getenv("FORKLAB_SCRIPTS_DIR");
  REQUIRE(dir);
  if (::access("/usr/bin/shellcheck", X_OK) != 0) {
    MESSAGE("shellcheck is not installed: scripts/bootstrap.sh installs it");
    FAIL("shellcheck missing");
  }
  std::vector<std::string> args{"-x"};
  for (const char* name : {"bootstrap.sh", "bench.sh", "check.sh", "lib.sh", "mutants.sh",
                           "ptree.sh", "tour.sh", "zombies.sh"}) {
    const std::string path = std::string(dir) + "/" + name;
    if (::access(path.c_str(), R_OK) == 0) args.push_back(path);
  }
  args.push_back(std::string(dir) + "/../.ci/run");
  const auto run = run_lab("/usr/bin/shellcheck", args, {.json = false});
  std::string output;
  for (const auto& line : run.lines) output += line + "\n";
  CHECK_MESSAGE(WEXITSTATUS(run.status) == 0, output);
}
