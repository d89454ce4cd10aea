package dev.coffer.api.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import java.util.concurrent.TimeUnit;

/**
 * Takes the place of the {@link ConnectionGuard} once a connection is a WebSocket, and answers a
 * frame Netty refuses (over the frame limit, or broken) the way RFC 6455 asks: a close frame with
 * the code Netty names (1009 too big, 1002 protocol error). Vert.x would close the connection at
 * once on that exception; with the rest of the oversized frame still arriving, the kernel then
 * resets the connection and the client loses the close frame (it sees 1006). So the exception stops
 * here: the close frame is written, the output half-closed (the client reads the frame, then the
 * end), and the input drained (Netty discards what follows a refused frame) until the client
 * closes, or at most {@code LINGER_MS}.
 */
final class WebSocketOverflowGuard extends ChannelDuplexHandler {
  private static final long LINGER_MS = 5_000;
  private boolean closing;

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof CorruptedWebSocketFrameException refused)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    if (closing) {
      return;
    }
    closing = true;
    ctx.writeAndFlush(
            new CloseWebSocketFrame(
                refused.closeStatus().code(), refused.closeStatus().reasonText()))
        .addListener(
            (ChannelFutureListener)
                written -> {
                  if (written.channel() instanceof DuplexChannel duplex) {
                    duplex.shutdownOutput();
                  }
                });
    ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
  }
}
