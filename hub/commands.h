// The hub's maintenance commands, run against the database of a hub that
// may be running (SQLite's WAL lets them share the file):
//   keys add NAME | keys list | keys revoke NAME
//   applets check FILE
//   events tail [-n N] [--follow]
#pragma once

#include <chrono>
#include <string>

namespace hub {

struct CommandTarget {
  std::string config_file;  // optional: where db (and config keys) come from
  std::string db;           // overrides the config's db
};

int keys_add(const CommandTarget& target, const std::string& name);
int keys_list(const CommandTarget& target);
int keys_revoke(const CommandTarget& target, const std::string& name);
int applets_check(const std::string& file);
int events_tail(const CommandTarget& target, int count, bool follow,
                std::chrono::milliseconds poll);

}  // namespace hub
