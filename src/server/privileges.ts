// Dropping root once the listeners are bound: `rdds serve` may be started as root to bind port 43
// and then runs as the configured `user` and `group` (docs/reliability.md, "Security"). The
// alternative, without root at all, is CAP_NET_BIND_SERVICE (systemd AmbientCapabilities).
import { accessSync, constants } from 'node:fs';

/** A privilege setting that cannot be applied: one line for the operator. */
export class PrivilegeError extends Error {}

type Account = string | number | null;

/** Both `user` and `group`, or neither: a user without its group would keep root's group. */
export function checkAccount(user: Account, group: Account): void {
  if ((user === null) !== (group === null)) {
    throw new PrivilegeError(`user and group must be set together (user: ${user ?? 'null'}, group: ${group ?? 'null'})`);
  }
}

/**
 * Switches the process to `group` and `user` (supplementary groups dropped first, then the group,
 * then the user: the other order would no longer be allowed to), then checks that the
 * directories it must still write to are writable as that user. Nothing to do when both are null.
 */
export function dropPrivileges(user: Account, group: Account, writableDirs: string[] = []): void {
  checkAccount(user, group);
  if (user === null || group === null) return;
  const step = (what: string, apply: () => void) => {
    try {
      apply();
    } catch (err) {
      throw new PrivilegeError(`cannot switch to ${what} (keys user: ${user}, group: ${group}): ${(err as Error).message}`);
    }
  };
  step(`group ${group}`, () => {
    process.setgroups!([group]);
    process.setgid!(group);
  });
  step(`user ${user}`, () => process.setuid!(user));
  for (const dir of writableDirs) {
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      throw new PrivilegeError(`${dir} is not writable by user ${user}: give it to that user, or choose another directory`);
    }
  }
}
