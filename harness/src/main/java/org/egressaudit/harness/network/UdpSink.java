package org.egressaudit.harness.network;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one UDP port every redirected non-DNS datagram lands on. Reads, counts per client address:port and logs
 * each datagram; never answers. Totals are kept for up to {@code maxUdpFlows} flows.
 */
final class UdpSink implements AutoCloseable {
    private static final int PREVIEW = 32;

    private final Channel channel;
    private final Map<InetSocketAddress, Flow> flows;

    private UdpSink(Channel channel, Map<InetSocketAddress, Flow> flows) {
        this.channel = channel;
        this.flows = flows;
    }

    static UdpSink bind(Transport transport, EventLoopGroup group, InetAddress address, int port,
                        ServiceContext context) throws IOException {
        Map<InetSocketAddress, Flow> flows = new ConcurrentHashMap<>();
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(transport.datagramChannel())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(DnsSinkhole.MAX_DATAGRAM))
                .handler(new Handler(context, flows));
        Channel ch = Binding.bind(b.bind(address, port), "UDP sink", address, port);
        context.channels().add(ch);
        return new UdpSink(ch, flows);
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Snapshot of the tracked flows, oldest first. */
    List<UdpFlow> flows() {
        List<UdpFlow> out = new ArrayList<>();
        for (Flow f : flows.values()) {
            out.add(f.snapshot());
        }
        out.sort(Comparator.comparing(UdpFlow::first));
        return out;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
    }

    private static final class Flow {
        final FlowRecorder recorder;
        final CompletableFuture<InetSocketAddress> destination;
        final Instant first = Instant.now();
        long datagrams;
        long bytes;
        Instant last = first;

        Flow(FlowRecorder recorder, CompletableFuture<InetSocketAddress> destination) {
            this.recorder = recorder;
            this.destination = destination;
        }

        synchronized void add(int size) {
            datagrams++;
            bytes += size;
            last = Instant.now();
        }

        synchronized UdpFlow snapshot() {
            return new UdpFlow(recorder.client(), destination.getNow(null), datagrams, bytes, first, last);
        }
    }

    private static final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final ServiceContext context;
        private final Map<InetSocketAddress, Flow> flows;

        Handler(ServiceContext context, Map<InetSocketAddress, Flow> flows) {
            this.context = context;
            this.flows = flows;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress client = packet.sender();
            ByteBuf content = packet.content();
            int size = content.readableBytes();
            Flow flow = flows.get(client);
            if (flow == null && flows.size() < context.config().maxUdpFlows()) {
                int listenerPort = packet.recipient() == null ? 0 : packet.recipient().getPort();
                CompletableFuture<InetSocketAddress> dest = context.destinations()
                        .resolve(OriginalDestinationLookup.Protocol.UDP, client, listenerPort);
                flow = new Flow(new FlowRecorder(context.log(), ServiceEvent.Service.UDP, client, dest), dest);
                flows.put(client, flow);
            }
            Map<String, String> a = new LinkedHashMap<>();
            a.put("bytes", Integer.toString(size));
            a.put("previewHex", ByteBufUtil.hexDump(content, content.readerIndex(), Math.min(PREVIEW, size)));
            FlowRecorder recorder;
            String totals = "";
            if (flow != null) {
                flow.add(size);
                UdpFlow s = flow.snapshot();
                a.put("flowDatagrams", Long.toString(s.datagrams()));
                a.put("flowBytes", Long.toString(s.bytes()));
                totals = " (flow total " + s.datagrams() + " datagrams, " + s.bytes() + " bytes)";
                recorder = flow.recorder;
            } else {
                a.put("flowTracked", "false");
                // beyond the flow limit: still logged, but without a (process-spawning) destination lookup
                recorder = new FlowRecorder(context.log(), ServiceEvent.Service.UDP, client,
                        CompletableFuture.completedFuture(null));
            }
            recorder.emit(ServiceEvent.Kind.DATAGRAM, "UDP datagram, " + size + " bytes" + totals, a);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // the shared socket stays open
            context.log().record(new ServiceEvent(Instant.now(), ServiceEvent.Service.UDP, null, null,
                    ServiceEvent.Kind.ERROR, "UDP sink error: " + cause, Map.of("exception", cause.getClass().getName())));
        }
    }
}
