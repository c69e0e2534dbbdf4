/* commands.h - the subcommands main() dispatches to. Each takes the
 * arguments after its own name (argv[0] is the command name) and returns
 * an exit code from exitcode.h. */
#ifndef OOMKIT_COMMANDS_H
#define OOMKIT_COMMANDS_H

int cmd_rank(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_status(int argc, char **argv);

#endif
