// Gives an accepted client socket the `onread` mode that net.connect() offers for outgoing ones: reads land in
// one buffer of the session's own and go to a callback, with no Buffer allocated per read and none of the
// Readable machinery (push, 'data', flowing state) in the path of every query. Node has no option for this on
// net.Server, so the accepted socket's libuv handle is moved into a new net.Socket constructed with `onread`,
// the way Node itself builds accepted sockets (the `handle` constructor option). This leans on two names Node
// keeps for its own use (`_handle`, `_server`, stable across Node 12 to 22); when either is not what this
// expects the caller keeps the stream path. The old socket must hold nothing read and not yet passed on: a
// listener created with pauseOnConnect (nothing was read), or the handler of the 'data' event that delivered the
// only chunk read so far (the API front, src/http/fast-lane.ts); one with bytes in its readable buffer is refused.
import net from 'node:net';

interface SocketInternals {
  _handle: unknown;
  _server: net.Server | null;
  server?: net.Server | null;
}

/** The constructor options Node's own accept path uses, beyond the typed ones. */
type AdoptOptions = net.SocketConstructorOpts & { handle: unknown; pauseOnCreate: boolean; onread: net.OnReadOpts };

/**
 * Moves `accepted`'s handle into a new socket reading with `onread`, paused (resume() starts the reads).
 * `accepted` is left without a handle and must not be used again. Undefined when the socket is not an accepted,
 * still open TCP socket of this Node (then nothing was changed).
 */
export function adoptWithUserBuffer(accepted: net.Socket, onread: net.OnReadOpts): net.Socket | undefined {
  const old = accepted as unknown as SocketInternals;
  const handle = old._handle;
  if (accepted.destroyed || accepted.readableLength > 0 || handle === null || typeof handle !== 'object' || !('readStart' in handle) || !('_server' in old)) return undefined;
  const server = old._server;
  old._handle = null;
  // The server counts its connections (maxConnections, close()'s callback) down in the socket's _destroy:
  // the new socket carries that count from now on, the old one never will.
  old._server = null;
  old.server = null;
  const options: AdoptOptions = { handle, readable: true, writable: true, pauseOnCreate: true, onread };
  const socket = new net.Socket(options);
  const adopted = socket as unknown as SocketInternals;
  adopted._server = server;
  adopted.server = server;
  return socket;
}
