#include "voice/say.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "os/wait_status.hpp"
#include "voice/output.hpp"
#include "voice/reaped.hpp"
#include "voice/timeline.hpp"

namespace lab {
namespace {

event_head stamp(std::string_view kind) noexcept {
  const long seq = next_sequence();
  const long long t_ms = elapsed_ms();
  return {seq, t_ms, ::getpid(), current_role(), kind};
}

timeline_event for_timeline(const event_head& head, std::string_view text,
                            std::string_view about_role) noexcept {
  return {head.seq, head.t_ms, head.pid, head.role, head.kind, text, about_role};
}

// What the rest of the voice learns from an event: a reap for the tree's
// reaped rows; every event (but those kept out) for the timeline.
void hand_on(const event_head& head, std::string_view text, std::initializer_list<field> fields,
             bool to_timeline) {
  const auto child = integer_of(fields, "child");
  const bool reap = head.kind == "reap" && child;
  to_timeline = to_timeline && timeline_started();
  const std::string_view about_role =
      child && (reap || to_timeline) ? role_of(*child) : std::string_view();
  if (reap) note_reaped(static_cast<pid_t>(*child), fields, about_role);
  if (to_timeline) timeline_note(for_timeline(head, text, about_role), fields);
}

void hand_on(const event_head& head, std::string_view text,
             std::initializer_list<int_field> fields) noexcept {
  const auto child = integer_of(fields, "child");
  if (head.kind == "reap" && child) note_reaped(static_cast<pid_t>(*child), fields);
  timeline_note(for_timeline(head, text, ""), fields);
}

void emit(int fd, std::string_view kind, std::string_view text,
          std::initializer_list<field> fields) {
  bool untranslated = false;
  const std::string_view shown = localized(text, untranslated);
  emit_localized(fd, kind, shown, untranslated, fields);
}

}  // namespace

void start_narrator(const narrator_options& options) {
  start_speaker(options);
  start_output();
  if (options.timeline) start_timeline();
}

event_head emit_localized(int fd, std::string_view kind, std::string_view text, bool untranslated,
                          std::initializer_list<field> fields, bool to_timeline) {
  const event_head head = stamp(kind);
  growing_line filled;
  append_text(filled, text, fields);
  hand_on(head, filled.view(), fields, to_timeline);
  growing_line line;
  const narrator_options& settings = narrator_settings();
  render(line, head, filled.view(), untranslated, fields, settings.json,
         settings.color && fd == STDOUT_FILENO);
  write_fully(fd, line.view());
  return head;
}

void say(std::string_view kind, std::string_view text, std::initializer_list<field> fields) {
  emit(STDOUT_FILENO, kind, text, fields);
}

void say_localized(std::string_view kind, std::string_view text,
                   std::initializer_list<field> fields) {
  emit_localized(STDOUT_FILENO, kind, text, false, fields);
}

void say_error(std::string_view text, std::initializer_list<field> fields) {
  // The reader of our output has gone (`| head -1`): what failed now is its
  // consequence (a child killed by SIGPIPE, a pipe to it at end of file).
  // The lab ends as SIGPIPE ends any program there: quietly.
  if (output_reader_gone() && sigpipe_would_kill()) ::raise(SIGPIPE);
  bool untranslated = false;
  const std::string_view shown = localized(text, untranslated);
  if (!narrator_settings().json) {
    emit_localized(STDERR_FILENO, "error", shown, untranslated, fields);
    return;
  }
  emit_localized(STDOUT_FILENO, "error", shown, untranslated, fields);
  growing_line plain;
  plain.append(narrator_settings().program);
  plain.append(": ");
  append_text(plain, shown, fields);
  plain.append("\n");
  write_fully(STDERR_FILENO, plain.view());
}

void signal_say(const char* kind, const char* text,
                std::initializer_list<int_field> fields) noexcept {
  const int saved_errno = errno;
  bool untranslated = false;
  const std::string_view shown = localized(text, untranslated);
  const event_head head = stamp(kind);
  fixed_line filled;
  append_text(filled, shown, fields);
  hand_on(head, filled.view(), fields);
  fixed_line line;
  const narrator_options& settings = narrator_settings();
  render(line, head, filled.view(), untranslated, fields, settings.json, settings.color);
  write_fully(STDOUT_FILENO, line.view());
  errno = saved_errno;
}

void say_reap(pid_t child, int raw_status) {
  const wait_status status = decode_wait_status(raw_status);
  const std::string_view role = role_of(child);  // forgotten below, once said
  say("reap", "reaped {child_role} {child}: {status}",
      {{"child", child},
       {"child_role", role.empty() ? std::string_view("child") : role},
       {"how", how_name(status.end)},
       {"code", status.code},
       {"core_dumped", status.core_dumped},
       {"status", describe_text(status).view()}});
  if (status.end == wait_status::how::exited || status.end == wait_status::how::killed)
    forget_process(child);
}

void say_drawing(std::string_view kind, std::string_view caption, std::string_view drawing,
                 std::initializer_list<field> fields) {
  bool untranslated = false;
  const std::string_view shown = localized(caption, untranslated);
  const narrator_options& settings = narrator_settings();
  if (settings.json) {
    std::string text(shown);
    text += "\n";
    text += drawing.substr(0, drawing.ends_with('\n') ? drawing.size() - 1 : drawing.size());
    emit_localized(STDOUT_FILENO, kind, text, untranslated, fields);
    return;
  }
  const event_head head = stamp(kind);
  growing_line filled;
  append_text(filled, shown, fields);
  hand_on(head, filled.view(), fields, true);
  growing_line line;
  render(line, head, filled.view(), untranslated, fields, settings.json, settings.color);
  line.append(drawing);
  write_fully(STDOUT_FILENO, line.view());
}

}  // namespace lab
