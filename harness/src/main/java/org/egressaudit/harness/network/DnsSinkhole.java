package org.egressaudit.harness.network;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * DNS over UDP and TCP on one port, answering every query from {@link DnsAnswers} and logging it. Undecodable or
 * oversized queries are logged and dropped (UDP) or end their connection (TCP); the service keeps running.
 */
final class DnsSinkhole implements AutoCloseable {
    /** Receive buffer for UDP: the largest possible datagram, so none is ever silently truncated. */
    static final int MAX_DATAGRAM = 65_536;
    private static final int PREVIEW = 32;

    private final Channel udp;
    private final Channel tcp;

    private DnsSinkhole(Channel udp, Channel tcp) {
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Binds UDP and TCP on the same port; with port 0 the UDP port is chosen first and TCP follows it. */
    static DnsSinkhole bind(Transport transport, EventLoopGroup group, InetAddress address, int port,
                            ServiceContext context, DnsAnswers answers) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < (port == 0 ? 5 : 1); attempt++) {
            Channel udp = bindUdp(transport, group, address, port, context, answers);
            int bound = ((InetSocketAddress) udp.localAddress()).getPort();
            try {
                Channel tcp = bindTcp(transport, group, address, bound, context, answers);
                context.channels().add(udp);
                context.channels().add(tcp);
                return new DnsSinkhole(udp, tcp);
            } catch (IOException e) {
                udp.close().awaitUninterruptibly();
                last = e; // an ephemeral UDP port whose TCP twin is taken: try another
            }
        }
        throw last;
    }

    private static Channel bindUdp(Transport transport, EventLoopGroup group, InetAddress address, int port,
                                   ServiceContext context, DnsAnswers answers) throws IOException {
        UdpRecorders recorders = new UdpRecorders(context, ServiceEvent.Service.DNS, UdpRecorders.DEFAULT_CAPACITY);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(transport.datagramChannel())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new CheckedQueryDecoder(context.config().maxDnsMessageBytes(), recorders))
                                .addLast(new DatagramDnsResponseEncoder())
                                .addLast(new UdpQueryHandler(answers, recorders));
                    }
                });
        return Binding.bind(b.bind(address, port), "DNS/UDP", address, port);
    }

    private static Channel bindTcp(Transport transport, EventLoopGroup group, InetAddress address, int port,
                                   ServiceContext context, DnsAnswers answers) throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 256)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        int listenerPort = ((InetSocketAddress) ch.parent().localAddress()).getPort();
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, context.config().idleTimeout().toMillis(),
                                        TimeUnit.MILLISECONDS))
                                .addLast(new ConnectionTracker(context, ServiceEvent.Service.DNS, listenerPort))
                                .addLast(new TcpDnsQueryDecoder(DnsRecordDecoder.DEFAULT,
                                        context.config().maxDnsMessageBytes()))
                                .addLast(new TcpDnsResponseEncoder())
                                .addLast(new TcpQueryHandler(answers))
                                .addLast(LastResort.INSTANCE);
                    }
                });
        return Binding.bind(b.bind(address, port), "DNS/TCP", address, port);
    }

    int port() {
        return ((InetSocketAddress) udp.localAddress()).getPort();
    }

    @Override
    public void close() {
        udp.close().awaitUninterruptibly();
        tcp.close().awaitUninterruptibly();
    }

    /** What to log about a dropped datagram; {@code start}/{@code size} as before decoding moved the index. */
    static Map<String, String> malformed(String why, ByteBuf bytes, int start, int size) {
        return Map.of("cause", why, "bytes", Integer.toString(size),
                "previewHex", ByteBufUtil.hexDump(bytes, start, Math.min(PREVIEW, size)));
    }

    /** Netty's query decoder, plus a size limit and a log entry (instead of an exception) for what it rejects. */
    private static final class CheckedQueryDecoder extends DatagramDnsQueryDecoder {
        private final int max;
        private final UdpRecorders recorders;

        CheckedQueryDecoder(int max, UdpRecorders recorders) {
            this.max = max;
            this.recorders = recorders;
        }

        @Override
        public boolean isSharable() {
            return false;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, DatagramPacket packet, List<Object> out) {
            ByteBuf content = packet.content();
            int start = content.readerIndex();
            int size = content.readableBytes();
            String why = null;
            if (content.readableBytes() > max) {
                why = "oversized: " + content.readableBytes() + " bytes, limit " + max;
            } else {
                try {
                    super.decode(ctx, packet, out);
                } catch (Exception e) {
                    why = "undecodable: " + e.getMessage();
                }
                if (why == null && out.size() == 1 && ((DnsQuery) out.get(0)).count(DnsSection.QUESTION) == 0) {
                    ReferenceCountUtil.release(out.remove(0));
                    why = "no question";
                }
            }
            if (why != null) {
                recorders.forClient(packet.sender(), packet.recipient()).emit(ServiceEvent.Kind.MALFORMED,
                        "DNS/UDP query dropped (" + why + ")", malformed(why, content, start, size));
            }
        }
    }

    private static final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        private final DnsAnswers answers;
        private final UdpRecorders recorders;

        UdpQueryHandler(DnsAnswers answers, UdpRecorders recorders) {
            this.answers = answers;
            this.recorders = recorders;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            Map<String, String> a = answers.answer(query, response);
            ctx.writeAndFlush(response);
            recorders.forClient(query.sender(), query.recipient())
                    .emit(ServiceEvent.Kind.DNS_QUERY, DnsAnswers.detail(a, "UDP"), a);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a failed send or similar: log it, never close the one socket every client shares
            recorders.error("DNS/UDP", cause);
        }
    }

    private static final class TcpQueryHandler extends SimpleChannelInboundHandler<DnsQuery> {
        private final DnsAnswers answers;

        TcpQueryHandler(DnsAnswers answers) {
            this.answers = answers;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
            ConnectionTracker tracker = ConnectionTracker.of(ctx.channel());
            if (query.count(DnsSection.QUESTION) == 0) {
                tracker.closeReason("malformed DNS query");
                tracker.recorder().emit(ServiceEvent.Kind.MALFORMED, "DNS/TCP query dropped (no question)",
                        Map.of("cause", "no question"));
                ctx.close();
                return;
            }
            DefaultDnsResponse response = new DefaultDnsResponse(query.id());
            Map<String, String> a = answers.answer(query, response);
            ctx.writeAndFlush(response);
            tracker.recorder().emit(ServiceEvent.Kind.DNS_QUERY, DnsAnswers.detail(a, "TCP"), a);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ConnectionTracker.of(ctx.channel()).addProtocol("dns");
            ctx.fireChannelActive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof DecoderException) {
                // the stream is no longer in step with its length prefixes: drop this connection only
                ConnectionTracker tracker = ConnectionTracker.of(ctx.channel());
                tracker.closeReason("malformed DNS query");
                tracker.recorder().emit(ServiceEvent.Kind.MALFORMED, "DNS/TCP query dropped ("
                        + cause.getMessage() + "), connection closed", Map.of("cause", String.valueOf(cause.getMessage())));
                ctx.close();
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }
}
