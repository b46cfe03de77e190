package org.egressaudit.harness.network;

import io.netty.channel.group.ChannelGroup;

/** What every service shares: limits, the log, the destination lookups and the set of open channels. */
record ServiceContext(SinkConfig config, ServiceEventLog log, OriginalDestinations destinations,
                      ConnectionLimit limit, ChannelGroup channels) {
}
