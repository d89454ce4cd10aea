package dev.coffer.api.server;

import dev.coffer.api.http.Problem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Guards one HTTP/1.x connection below Vert.x, where a request that cannot be framed safely must be
 * stopped before anything serves it (RFC 9112): a {@code Transfer-Encoding} other than a single
 * {@code chunked} (which Netty would ignore, reading the body as the next request), a malformed
 * chunk, a head that does not arrive within the header timeout, or a body that does not arrive
 * within the body timeout. Each is answered with a problem (when no earlier response is still owed
 * on the connection, so answers never go out of order) and the connection is closed: what follows
 * on it can no longer be told apart from a smuggled request.
 *
 * <p>Two handlers share the state: {@link #bytesObserver()} before the decoder notices the first
 * byte of a request head, and this one after the codec sees decoded requests and outgoing
 * responses.
 */
final class ConnectionGuard extends ChannelDuplexHandler {
  private static final Logger LOG = Logger.getLogger(ConnectionGuard.class.getName());
  private static final String BYTES_OBSERVER = "coffer-guard-bytes";

  private enum Phase {
    BETWEEN_REQUESTS,
    READING_HEAD,
    READING_BODY
  }

  private final Duration headerTimeout;
  private final Duration bodyTimeout;
  private Phase phase = Phase.BETWEEN_REQUESTS;
  private long requestsForwarded;
  private long responsesCompleted;
  private boolean responseOpen;
  private boolean refusing;
  private ScheduledFuture<?> deadline;
  private ChannelHandlerContext ctx;

  private ConnectionGuard(Duration headerTimeout, Duration bodyTimeout) {
    this.headerTimeout = headerTimeout;
    this.bodyTimeout = bodyTimeout;
  }

  /**
   * Puts a guard around the HTTP/1.x codec of {@code pipeline}; a pipeline without one (HTTP/2) is
   * left alone.
   */
  static void install(ChannelPipeline pipeline, Duration headerTimeout, Duration bodyTimeout) {
    List<String> names = pipeline.names();
    int decoder = names.indexOf("httpDecoder");
    int encoder = names.indexOf("httpEncoder");
    if (decoder < 0 || encoder < 0) {
      return;
    }
    ConnectionGuard guard = new ConnectionGuard(headerTimeout, bodyTimeout);
    // After both halves of the codec: it reads decoded requests and writes responses the encoder
    // still encodes.
    pipeline.addAfter(names.get(Math.max(decoder, encoder)), "coffer-guard", guard);
    pipeline.addBefore("httpDecoder", BYTES_OBSERVER, guard.bytesObserver());
  }

  private ChannelInboundHandlerAdapter bytesObserver() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext bytesCtx, Object msg) {
        if (msg instanceof ByteBuf bytes
            && bytes.isReadable()
            && phase == Phase.BETWEEN_REQUESTS
            && !refusing) {
          phase = Phase.READING_HEAD;
          startDeadline(headerTimeout, "the request head did not arrive in time");
        }
        bytesCtx.fireChannelRead(msg);
      }
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refusing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      cancelDeadline();
      String framing = framingProblem(request);
      if (framing != null) {
        ReferenceCountUtil.release(msg);
        refuse(Problem.of("malformed-request", framing), false);
        return;
      }
      requestsForwarded++;
      if (msg instanceof LastHttpContent) {
        phase = Phase.BETWEEN_REQUESTS;
      } else {
        phase = Phase.READING_BODY;
        startDeadline(bodyTimeout, "the request body did not arrive in time");
      }
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof HttpContent content) {
      if (!content.decoderResult().isSuccess()) {
        ReferenceCountUtil.release(msg);
        refuse(Problem.of("malformed-request", "the chunked body is malformed"), true);
        return;
      }
      if (msg instanceof LastHttpContent) {
        cancelDeadline();
        phase = Phase.BETWEEN_REQUESTS;
      }
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * Why {@code request}'s body cannot be framed safely, or null. A request whose head itself failed
   * to decode is Vert.x's to answer (its invalid-request handler).
   */
  static String framingProblem(HttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      return null;
    }
    List<String> encodings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (encodings.isEmpty()) {
      return null;
    }
    String joined = String.join(",", encodings).trim().toLowerCase(Locale.ROOT);
    if (!joined.equals(HttpHeaderValues.CHUNKED.toString())) {
      return "Transfer-Encoding must be exactly chunked, or absent";
    }
    return null;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (refusing) {
      // Whatever Vert.x still writes for a request this guard already answered goes nowhere.
      ReferenceCountUtil.release(msg);
      promise.trySuccess();
      return;
    }
    if (msg instanceof HttpResponse response) {
      // A 100 Continue is not the answer.
      if (response.status().code() >= 200) {
        responseOpen = !(msg instanceof LastHttpContent);
        if (!responseOpen) {
          responsesCompleted++;
        }
      }
    } else if (msg instanceof LastHttpContent && responseOpen) {
      responseOpen = false;
      responsesCompleted++;
    }
    ctx.write(msg, promise);
    if (msg instanceof HttpResponse response
        && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      // The connection stops speaking HTTP/1.x (a WebSocket): nothing here applies to it any more.
      cancelDeadline();
      ctx.pipeline().remove(BYTES_OBSERVER);
      ctx.pipeline().replace(this, "coffer-ws-guard", new WebSocketOverflowGuard());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelDeadline();
    ctx.fireChannelInactive();
  }

  private void startDeadline(Duration timeout, String why) {
    cancelDeadline();
    boolean forwarded = phase == Phase.READING_BODY;
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (!refusing && ctx.channel().isActive()) {
                    refuse(Problem.of("request-timeout", why), forwarded);
                  }
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  /**
   * Answers {@code problem} when the client is owed no earlier response ({@code forwarded}: the
   * request itself already went to Vert.x and is answered here instead), then closes.
   */
  private void refuse(Problem problem, boolean forwarded) {
    cancelDeadline();
    long owed = requestsForwarded - responsesCompleted - (forwarded ? 1 : 0);
    boolean mayAnswer = owed == 0 && !responseOpen;
    refusing = true;
    LOG.warning(
        "refused a request on connection from "
            + ctx.channel().remoteAddress()
            + ": "
            + problem.code()
            + " ("
            + problem.detail()
            + ")");
    if (!mayAnswer) {
      ctx.close();
      return;
    }
    ctx.writeAndFlush(response(problem)).addListener(ChannelFutureListener.CLOSE);
  }

  private static FullHttpResponse response(Problem problem) {
    byte[] body = problem.toBuffer().getBytes();
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(problem.status()),
            Unpooled.wrappedBuffer(body));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, Problem.CONTENT_TYPE)
        .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return response;
  }
}
