// The log action: renders its template and prints it, plus a blank line, to
// a stream (stdout for the hub) with one write and a flush, so a reader of
// the stream sees whole messages. Without an applets file the hub runs one
// on every event with the tutorial's email (see default_applets()).
#pragma once

#include <cstdio>
#include <mutex>

#include "applet.h"

namespace hub {

class LogAction : public Action {
 public:
  LogAction(std::string tmpl, std::FILE* out)
      : template_(std::move(tmpl)), used_(hub::ingredients_used(template_)), out_(out) {}
  std::string_view kind() const override { return "log"; }
  void run(const EventRecord& event, const Ingredients& ingredients) override;
  void run_buffered(const EventRecord& event, const Ingredients& ingredients) override;
  void flush() override;
  IngredientSet ingredients_used() const override { return used_; }

 private:
  std::string template_;
  IngredientSet used_;
  std::FILE* out_;
};

}  // namespace hub
