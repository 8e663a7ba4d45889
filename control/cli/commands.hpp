// The subcommands of swarmline-control. Each takes the arguments after its own name
// (argv[0] is the subcommand) and returns the process exit code.
#pragma once

namespace swarmline::control {

int cmd_serve(int argc, char** argv);    // run the control daemon (the default)
int cmd_migrate(int argc, char** argv);  // migrate run|info|add NAME
int cmd_user(int argc, char** argv);     // user add|set-group|disable|passkey-reset
int cmd_invite(int argc, char** argv);   // invite create
int cmd_torrent(int argc, char** argv);  // torrent add FILE

}  // namespace swarmline::control
