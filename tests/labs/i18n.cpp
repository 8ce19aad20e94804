// i18n: every lab speaks English, Chinese and Korean (--lang en|zh|ko). Each
// lab runs with --json in the three languages, side by side; the events must
// be the same — the same kinds in the same order for each role, the same field
// names, the same values where a value does not change from run to run (pids,
// ports, addresses and durations do) — and only the texts differ: Chinese or
// Korean ones, none marked "untranslated". The language's default comes from
// the environment.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "harness.hpp"
#include "scoped_env.hpp"
#include "writing.hpp"

using namespace harness;

namespace {

// Values that differ between two runs of the same lab: process ids, ports,
// addresses, measured durations, /proc snapshots that race with the lab.
const std::set<std::string> run_specific = {
    "seq",           "t_ms",    "pid",     "text",    "child",    "ppid",       "pgid",
    "sender",        "target",  "port",    "address", "local",    "peer",       "slept",
    "left",          "waited",  "handler", "old",     "returned", "wchan",      "meaning",
    "captured",      "listing", "lab",     "process", "targets",  "connection", "global_address",
    "local_address", "sockets", "caught",  "blocked", "ignored", "elapsed"};

struct lab_run {
  std::string lab;
  std::vector<std::string> args;
  std::set<std::string> also_run_specific = {};  // fields this run's timing decides
  bool states_race = false;  // "state" events that may see a process alive, a zombie or gone
};

// The straight-through runs of scripts/tour.sh, with short timings.
const std::vector<lab_run> runs = {
    {"lab01-fork", {}},
    {"lab02-zombie", {"--children", "2", "--hold", "0"}},
    {"lab03-wait", {"--kill-one", "--hold", "0"}},
    {"lab04-waitpid", {"--child-sleep", "0.2", "--poll", "1"}},
    {"lab05-signal", {"--alarm", "1", "--sleep", "5", "--rounds", "1"}},
    {"lab06-sigaction", {"--alarm", "1", "--sleep", "5", "--rounds", "1"}},
    {"lab07-reaper", {"--child-sleep", "1", "--rounds", "2", "--interval", "5"}},
    {"lab10-coalesce", {"--children", "3", "--reaper", "once", "--hold", "0"}},
    {"lab10-coalesce", {"--children", "3", "--reaper", "loop", "--hold", "0"}},
    {"lab11-eintr", {"--call", "read", "--hold", "0"}},
    {"lab11-eintr", {"--call", "read", "--restart", "--hold", "0"}},
    {"lab11-eintr", {"--call", "accept", "--hold", "0"}},
    {"lab11-eintr", {"--call", "sleep", "--sleep", "5", "--hold", "0"}, {"result"}},
    {"lab12-fd-share", {}},
    {"lab12-fd-share", {"--leak", "--separate-open", "--timeout", "0.3"}},
    {"lab13-stdio-dup", {"--all"}},
    {"lab14-orphan", {"--hold", "0"}, {}, true},
    {"lab14-orphan", {"--subreaper", "--hold", "0"}},
    {"lab15-sigpipe", {"--mode", "default"}},
    {"lab15-sigpipe", {"--mode", "ignore"}},
    {"lab15-sigpipe", {"--mode", "nosignal"}},
    {"lab16-signalfd", {"--via", "signalfd", "--children", "3"}},
    {"lab16-signalfd", {"--via", "selfpipe", "--children", "3"}},
};

std::string run_name(const std::string& lab, const std::vector<std::string>& args) {
  std::string name = lab;
  for (const std::string& a : args) name += " " + a;
  return name;
}

// A /proc state letter, as far as it is the same from run to run.
std::string stable_state(const std::string& state) {
  return state == "R" || state == "S" || state == "D" ? "alive" : state;
}

// An event as two runs must agree on it: kind, every field name, the values
// that do not depend on the run.
std::string shape_of(const event& e, const std::set<std::string>& also_run_specific) {
  std::ostringstream out;
  out << e.kind();
  for (const auto& [key, value] : e.fields) {  // std::map: in name order
    if (key == "kind" || key == "role" || key == "untranslated") continue;
    out << " " << key << "=";
    if (run_specific.count(key) || also_run_specific.count(key)) {
      out << "*";
      continue;
    }
    switch (value.kind) {
      case json_value::type::number:
        out << value.number;
        break;
      case json_value::type::boolean:
        out << (value.boolean ? "true" : "false");
        break;
      case json_value::type::null:
        out << "null";
        break;
      case json_value::type::text:
        out << '"'
            << (key == "state" || key.ends_with("_state") ? stable_state(value.text) : value.text)
            << '"';
        break;
    }
  }
  return out.str();
}

// Each role's events, in the order that role said them (processes run side by
// side, so only each role's own order is the same from run to run). Events of
// one kind in a row are taken as a set: wait() reaps children that ended
// together in whatever order the kernel finds them.
using shapes = std::map<std::string, std::vector<std::string>>;

shapes shapes_of(const std::vector<event>& events, const lab_run& run) {
  shapes by_role;
  std::map<std::string, std::string> last_kind;
  std::map<std::string, std::size_t> run_start;  // where the role's current run of one kind began
  for (const event& e : events) {
    if (run.states_race && e.kind() == "state") continue;
    auto& list = by_role[e.role()];
    if (last_kind[e.role()] != e.kind()) run_start[e.role()] = list.size();
    last_kind[e.role()] = e.kind();
    list.push_back(shape_of(e, run.also_run_specific));
    std::sort(list.begin() + static_cast<std::ptrdiff_t>(run_start[e.role()]), list.end());
  }
  return by_role;
}

std::string listing(const shapes& by_role) {
  std::string text;
  for (const auto& [role, list] : by_role)
    for (const std::string& shape : list) text += "  " + role + ": " + shape + "\n";
  return text;
}

bool in_language(const std::string& text, const std::string& lang) {
  return in_script_of(text, lang);
}

void check_texts(const std::vector<event>& events, const std::string& lang,
                 const std::string& name) {
  for (const event& e : events) {
    INFO(name << " --lang " << lang << ": " << e.line);
    CHECK(!e.has("untranslated"));
    if (lang != "en") CHECK(in_language(e.text("text"), lang));
  }
}

// The English run and the run in `lang` of one lab agree on everything but the texts.
void check_same_events(const std::vector<event>& english, const std::vector<event>& other,
                       const std::string& lang, const lab_run& run, const std::string& name) {
  check_texts(english, "en", name);
  check_texts(other, lang, name);
  const shapes en = shapes_of(english, run), translated = shapes_of(other, run);
  CHECK_MESSAGE(en == translated, name << ": the events differ\n--lang en:\n"
                                       << listing(en) << "--lang " << lang << ":\n"
                                       << listing(translated));
}

const std::vector<std::string> translations = {"zh", "ko"};

void check_finished(lab_process& lab, const std::string& name) {
  const int status = lab.wait_exit(30s);
  CHECK_MESSAGE(WIFEXITED(status), name << "\n" << lab.transcript());
  CHECK_MESSAGE(WEXITSTATUS(status) == 0, name << "\n" << lab.transcript());
  CHECK(lab.group_gone());
}

}  // namespace

TEST_CASE("every lab: --lang zh and --lang ko emit the same events as English, in their words") {
  for (const lab_run& run : runs) {
    const std::string name = run_name(run.lab, run.args);
    auto args_in = [&](const std::string& lang) {
      auto args = run.args;
      args.insert(args.end(), {"--lang", lang});
      return args;
    };
    // The languages at once: the suite stays short.
    lab_process english(run.lab, args_in("en"));
    lab_process chinese(run.lab, args_in("zh"));
    lab_process korean(run.lab, args_in("ko"));
    check_finished(english, name + " --lang en");
    check_finished(chinese, name + " --lang zh");
    check_finished(korean, name + " --lang ko");
    check_same_events(english.events(), chinese.events(), "zh", run, name);
    check_same_events(english.events(), korean.events(), "ko", run, name);
  }
}

TEST_CASE("lab08 and lab09: the server and a client, each in every language") {
  struct pair_events {
    std::vector<event> server, client;
  };
  const auto serve_one_client = [](const char* lang) {
    lab_process server("lab08-echo-serv", {"--port", "0", "--lang", lang});
    const event listening = server.expect("listen");
    const std::string port = std::to_string(listening.number("port"));
    lab_process client("lab09-echo-cli", {"127.0.0.1", port, "--lang", lang}, {.stdin_pipe = true});
    // The input only once the server's child is there and the tree is said:
    // the tree then sees the child alive in each run.
    server.expect("tree");
    server.expect("step");
    client.expect("tree");
    client.write_stdin("hello, forklab\n");
    client.close_stdin();
    check_finished(client, std::string("lab09-echo-cli --lang ") + lang);
    server.expect("reap");
    server.signal(SIGTERM);
    check_finished(server, std::string("lab08-echo-serv --lang ") + lang);
    return pair_events{server.events(), client.events()};
  };
  const pair_events english = serve_one_client("en");
  for (const std::string& lang : translations) {
    const pair_events other = serve_one_client(lang.c_str());
    check_same_events(english.server, other.server, lang, {"lab08-echo-serv", {}},
                      "lab08-echo-serv");
    check_same_events(english.client, other.client, lang, {"lab09-echo-cli", {}},
                      "lab09-echo-cli");
  }
}

TEST_CASE("without --lang the environment decides: LC_ALL, then LC_MESSAGES, then LANG") {
  const auto texts_are_chinese = [] {
    const auto run = run_lab("lab01-fork", {});
    REQUIRE(WIFEXITED(run.status));
    REQUIRE(WEXITSTATUS(run.status) == 0);
    REQUIRE(!run.events.empty());
    bool all = true;
    for (const event& e : run.events) all = all && has_chinese(e.text("text"));
    return all;
  };
  scoped_env all("LC_ALL", nullptr), messages("LC_MESSAGES", nullptr), lang("LANG", nullptr);
  CHECK(!texts_are_chinese());
  {
    scoped_env chinese("LANG", "zh_CN.UTF-8");
    CHECK(texts_are_chinese());
    scoped_env c("LC_ALL", "C");  // LC_ALL comes first
    CHECK(!texts_are_chinese());
  }
  scoped_env chinese("LC_MESSAGES", "zh_CN.UTF-8");
  scoped_env english("LANG", "en_US.UTF-8");
  CHECK(texts_are_chinese());
  // --lang wins over the environment.
  const auto run = run_lab("lab01-fork", {"--lang", "en"});
  for (const event& e : run.events) CHECK(!has_chinese(e.text("text")));
  // Korean from the environment, and a language with no books is English.
  scoped_env korean("LC_ALL", "ko_KR.UTF-8");
  const auto in_korean = run_lab("lab01-fork", {});
  REQUIRE(!in_korean.events.empty());
  for (const event& e : in_korean.events) CHECK(has_hangul(e.text("text")));
  scoped_env french("LC_ALL", "fr_FR.UTF-8");
  CHECK(!texts_are_chinese());
  for (const event& e : run_lab("lab01-fork", {}).events) CHECK(!has_hangul(e.text("text")));
}

TEST_CASE("for people too: every line once, in Chinese or in Korean") {
  for (const std::string& lang : translations) {
    const auto human = run_lab("lab01-fork", {"--lang", lang}, {.json = false});
    CHECK(WIFEXITED(human.status));
    CHECK(WEXITSTATUS(human.status) == 0);
    CHECK(check_each_line_once(human.lines) == "");
    REQUIRE(!human.lines.empty());
    for (const std::string& line : human.lines) CHECK_MESSAGE(in_language(line, lang), line);
  }
}

TEST_CASE("an unknown language is a bad command line: exit 2, nothing run") {
  for (const char* lab : {"lab01-fork", "lab02-zombie", "lab05-signal", "lab08-echo-serv",
                          "lab09-echo-cli", "lab13-stdio-dup", "lab16-signalfd"}) {
    for (const char* lang : {"xx", "", "ZH", "zh_CN", "KO", "kr"}) {
      const auto run = run_lab(lab, {"--lang", lang});
      INFO(lab << " --lang '" << lang << "'");
      CHECK(WIFEXITED(run.status));
      CHECK(WEXITSTATUS(run.status) == 2);
      CHECK(run.events.empty());
      CHECK(run.stderr_text.find("--lang") != std::string::npos);
    }
  }
}
