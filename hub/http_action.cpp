#include "http_action.h"

namespace hub {
namespace {

std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

// The answer's start, for last_error: enough to see what the server said.
std::string excerpt(const std::string& body) {
  std::string out = one_line(body.substr(0, 200));
  return out.empty() ? "" : ": " + out;
}

}  // namespace

HttpCall render_http(const HttpSpec& spec, const Ingredients& in) {
  HttpCall call;
  call.method = spec.method;
  call.url = render(spec.url, in, Escape::kUrl);
  for (const auto& [name, value] : spec.headers) {
    call.headers.emplace_back(name, one_line(render(value, in)));
  }
  call.body = render(spec.body, in, spec.body_escape);
  call.timeout = spec.timeout;
  call.ca_file = spec.ca_file;
  call.tls_verify = spec.tls_verify;
  return call;
}

void HttpAction::run(const EventRecord&, const Ingredients& in) {
  HttpCall call = render_http(spec_, in);
  call.abort = abort_;
  HttpAnswer answer = perform_http(call);
  if (answer.status >= 200 && answer.status < 300) return;
  const bool retry = answer.status == 408 || answer.status == 429 || answer.status >= 500;
  throw ActionError("HTTP " + std::to_string(answer.status) + excerpt(answer.body), !retry);
}

}  // namespace hub
