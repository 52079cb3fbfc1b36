#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>

#include "applet_runner.h"

namespace hub {
namespace {

class Recorder : public Action {
 public:
  explicit Recorder(std::vector<std::string>* seen, bool fail = false) : seen_(seen), fail_(fail) {}
  std::string_view kind() const override { return "record"; }
  void run(const Ingredients& in) override {
    seen_->push_back(in.event_name + ":" + in.value1);
    if (fail_) throw std::runtime_error("boom");
  }

 private:
  std::vector<std::string>* seen_;
  bool fail_;
};

EventRecord event(const std::string& name, const std::string& value1) {
  EventRecord e;
  e.id = 7;
  e.event = name;
  e.value1 = value1;
  return e;
}

TEST(AppletRunner, RunsMatchingAppletsInOrderAndDrainsOnStop) {
  std::vector<std::string> every, only_pressed;
  std::vector<Applet> applets(2);
  applets[0].name = "every";
  applets[0].actions.push_back(std::make_unique<Recorder>(&every));
  applets[1].name = "pressed";
  applets[1].event = "button_pressed";
  applets[1].actions.push_back(std::make_unique<Recorder>(&only_pressed));
  AppletRunner runner(std::move(applets), nullptr);
  runner.dispatch(event("button_pressed", "1"));
  runner.dispatch(event("other", "2"));
  runner.dispatch(event("button_pressed", "3"));
  runner.stop();
  EXPECT_EQ(every, (std::vector<std::string>{"button_pressed:1", "other:2", "button_pressed:3"}));
  EXPECT_EQ(only_pressed, (std::vector<std::string>{"button_pressed:1", "button_pressed:3"}));
}

TEST(AppletRunner, AFailingActionIsReportedAndTheOthersStillRun) {
  std::vector<std::string> seen;
  std::vector<std::string> errors;
  std::vector<Applet> applets(1);
  applets[0].name = "mixed";
  applets[0].actions.push_back(std::make_unique<Recorder>(&seen, /*fail=*/true));
  applets[0].actions.push_back(std::make_unique<Recorder>(&seen));
  AppletRunner runner(std::move(applets), [&errors](const std::string& e) { errors.push_back(e); });
  runner.dispatch(event("e", "x"));
  runner.stop();
  EXPECT_EQ(seen.size(), 2u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("applet mixed"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("#7"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("boom"), std::string::npos) << errors[0];
}

TEST(AppletRunner, DispatchAfterStopIsDropped) {
  std::vector<std::string> seen;
  std::vector<Applet> applets(1);
  applets[0].actions.push_back(std::make_unique<Recorder>(&seen));
  AppletRunner runner(std::move(applets), nullptr);
  runner.stop();
  runner.dispatch(event("late", ""));
  runner.stop();
  EXPECT_TRUE(seen.empty());
}

}  // namespace
}  // namespace hub
