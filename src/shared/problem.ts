/**
 * A problem about a room that no command is waiting for: one the host reported (an error frame),
 * or one the client found with what it sent. `cid` names the post it is about, `ref` the fetch.
 * It is the shape of the bridge's `problem` event too (which adds the room's id), so it lives here.
 */
export interface Problem {
  code: string;
  message: string;
  cid?: string;
  ref?: string;
}
