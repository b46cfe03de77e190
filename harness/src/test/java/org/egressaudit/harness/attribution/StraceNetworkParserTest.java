package org.egressaudit.harness.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lines as strace 6.1 writes them with -f -ttt -qq -yy (recorded from real runs, addresses changed). */
class StraceNetworkParserTest {

    private static final List<String> TRACE = List.of(
            "812 1795424815.447911 execve(\"/usr/bin/clamsubmit\", [\"clamsubmit\", \"-e\", \"user@mail.example\", "
                    + "\"-N\", \"Some Body\", \"-n\", \"/home/user/Documents/x.exe\"], 0x7ffe0fce7188 /* 35 vars */) = 0",
            "812 1795424815.500000 openat(AT_FDCWD, \"/home/user/Documents/x.exe\", O_RDONLY) = 3",
            "812 1795424815.512933 connect(5<TCP:[3034477]>, {sa_family=AF_INET, sin_port=htons(443), "
                    + "sin_addr=inet_addr(\"172.18.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)",
            "812 1795424815.564003 sendto(5<TCP:[172.18.0.2:55012->172.18.0.1:443]>, \"\\26\\3\\1\\2\\0\\1\\0\\1"
                    + "\\374\\3\\3\"..., 517, MSG_NOSIGNAL, NULL, 0) = 517",
            "812 1795424815.664003 sendto(5<TCP:[172.18.0.2:55012->172.18.0.1:443]>, \"x\", 1, 0, NULL, 0) = 1",
            "812 1795424815.564860 connect(6<TCPv6:[3034481]>, {sa_family=AF_INET6, sin6_port=htons(8081), "
                    + "sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"2001:db8::1\", &sin6_addr), sin6_scope_id=0}, 28)"
                    + " = 0",
            "812 1795424815.565446 sendto(6<TCPv6:[[2001:db8::2]:39254->[2001:db8::1]:8081]>, \"xxxxxxxxxx\", 10, 0, "
                    + "NULL, 0) = 10",
            "812 1795424815.565935 sendto(7<UDP:[3034485]>, \"q\", 1, 0, {sa_family=AF_INET, sin_port=htons(53), "
                    + "sin_addr=inet_addr(\"172.18.0.1\")}, 16) = 1",
            "812 1795424815.566312 sendmsg(7<UDP:[0.0.0.0:47036]>, {msg_name={sa_family=AF_INET, sin_port=htons(54),"
                    + " sin_addr=inet_addr(\"172.18.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"abc\", iov_len=3}], "
                    + "msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 3",
            "812 1795424815.566474 sendto(8<UDP:[172.18.0.2:33332->172.18.0.1:55]>, \"z\", 1, 0, NULL, 0) = 1",
            "812 1795424815.745542 sendmmsg(3<UDP:[172.18.0.2:48583->172.18.0.1:53]>, [{msg_hdr={msg_name=NULL, "
                    + "msg_namelen=0, msg_iov=[{iov_base=\"ab\", iov_len=2}], msg_iovlen=1, msg_controllen=0, "
                    + "msg_flags=0}, msg_len=2}, {msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"cd\", "
                    + "iov_len=2}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=2}], 2, MSG_NOSIGNAL) = 2",
            "812 1795424826.279663 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
                    + "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7fa21391a990, "
                    + "parent_tid=0x7fa21391a990, exit_signal=0, stack=0x7fa21311a000, stack_size=0x7fff80, "
                    + "tls=0x7fa21391a6c0} => {parent_tid=[813]}, 88) = 813",
            "813 1795424826.319643 connect(4<TCP:[3035931]>, {sa_family=AF_INET, sin_port=htons(80), "
                    + "sin_addr=inet_addr(\"172.18.0.1\")}, 16 <unfinished ...>",
            "812 1795424826.320240 sendto(9<TCP:[172.18.0.2:45586->172.18.0.1:8080]>, \"GET / HTTP/1.1\\r\\n\"..., "
                    + "3000, 0, NULL, 0 <unfinished ...>",
            "813 1795424826.320782 <... connect resumed>) = 0",
            "812 1795424826.320819 <... sendto resumed>) = 3000",
            "812 1795424826.459997 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
                    + "child_tidptr=0x7fa21469fe50) = 820",
            "820 1795424826.460000 execve(\"/bin/sh\", [\"/bin/sh\", \"-c\", \"echo \\\"hi there\\\" > /dev/null\"], "
                    + "0x7ffef79c8bd0 /* 35 vars */) = 0",
            "821 1795424826.470000 execve(\"/usr/bin/nope\", [\"nope\"], 0x7ffef79c8bd0 /* 35 vars */) = -1 ENOENT "
                    + "(No such file or directory)",
            "822 1795424826.480000 execve(\"/opt/vendor/bin/agent\", [\"/opt/vendor/bin/agent-with-a-long-na\"..., "
                    + "\"--config\", ...], 0x7ffef79c8bd0 /* 35 vars */) = 0",
            "812 1795424826.465646 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=820, si_uid=0} ---",
            "812 1795424826.500000 +++ exited with 0 +++",
            "812 1795424826.600000 sendto(10<UDP:[3035999]>, \"sa_family=AF_INET, sin_port=htons(9), "
                    + "sin_addr=inet_addr(\\\"192.0.2.9\\\")\", 60, 0, NULL, 0) = -1 EDESTADDRREQ (Destination address "
                    + "required)",
            "812 1795424826.700000 sendto(11<UNIX-DGRAM:[3036000->3036001]>, \"<13>log\", 7, 0, NULL, 0) = 7",
            "garbage",
            "814 1795424826.800000 <... connect resumed>) = 0");

    @Test
    void socketCallsCarryTheirAddresses() {
        StraceNetworkParser.Trace t = StraceNetworkParser.parse(TRACE);
        Map<String, StraceNetworkParser.SocketEvent> byKey = new java.util.HashMap<>();
        for (StraceNetworkParser.SocketEvent e : t.sockets()) {
            byKey.put(e.pid() + "/" + e.fd() + "/" + e.local() + "/" + e.remote(), e);
        }
        StraceNetworkParser.SocketEvent connect = byKey.get("812/5/null/172.18.0.1:443");
        assertEquals("connect", connect.syscall());
        assertEquals("EINPROGRESS", connect.errno());
        assertEquals(3034477L, connect.inode());
        assertEquals("tcp", connect.transport());
        StraceNetworkParser.SocketEvent sends = byKey.get("812/5/172.18.0.2:55012/172.18.0.1:443");
        assertEquals(2, sends.calls(), "repeated sends on one socket fold into one record");
        assertEquals(1795424815_564003000L, sends.firstNanos());
        assertEquals(1795424815_664003000L, sends.lastNanos());
        assertEquals("tcp", byKey.get("812/6/[2001:db8::2]:39254/[2001:db8::1]:8081").transport());
        assertEquals("udp", byKey.get("812/7/null/172.18.0.1:53").transport(), "sendto's sockaddr is the peer");
        assertEquals("sendmsg", byKey.get("812/7/0.0.0.0:47036/172.18.0.1:54").syscall(), "msg_name is the peer");
        assertTrue(byKey.containsKey("812/8/172.18.0.2:33332/172.18.0.1:55"));
        assertEquals("sendmmsg", byKey.get("812/3/172.18.0.2:48583/172.18.0.1:53").syscall());
        StraceNetworkParser.SocketEvent resumed = byKey.get("813/4/null/172.18.0.1:80");
        assertEquals(1795424826_319643000L, resumed.firstNanos(), "timed at the call's start");
        assertNull(resumed.errno());
        assertTrue(byKey.containsKey("812/9/172.18.0.2:45586/172.18.0.1:8080"));
        StraceNetworkParser.SocketEvent spoof = byKey.get("812/10/null/null");
        assertEquals("EDESTADDRREQ", spoof.errno(), "an address spelled inside data is not a destination");
        assertEquals(11, t.sockets().size(), "unix sockets are not network flows: " + t.sockets());
        assertEquals(2, t.oddLines(), "the garbage line and a resumed call that never started");
        assertFalse(t.truncated());
    }

    @Test
    void execsAndClonesNameTheProcesses() {
        StraceNetworkParser.Trace t = StraceNetworkParser.parse(TRACE);
        assertEquals(3, t.execs().size(), "failed execs change nothing");
        StraceNetworkParser.ExecEvent first = t.execs().get(0);
        assertEquals("/usr/bin/clamsubmit", first.path());
        assertEquals(List.of("clamsubmit", "-e", "user@mail.example", "-N", "Some Body", "-n",
                "/home/user/Documents/x.exe"), first.argv());
        assertFalse(first.argvTruncated());
        assertEquals(List.of("/bin/sh", "-c", "echo \"hi there\" > /dev/null"), t.execs().get(1).argv());
        StraceNetworkParser.ExecEvent cut = t.execs().get(2);
        assertTrue(cut.argvTruncated(), "strace's ... marks a shortened string and a shortened list");
        assertEquals(List.of("/opt/vendor/bin/agent-with-a-long-na", "--config"), cut.argv());
        assertEquals(List.of(new StraceNetworkParser.CloneEvent(812, 1795424826_279663000L, 813, true),
                new StraceNetworkParser.CloneEvent(812, 1795424826_459997000L, 820, false)), t.clones());

        StraceProcesses p = new StraceProcesses(t, Map.of(), Map.of());
        ProcessInfo thread = p.at(813, 1795424826_319643000L);
        assertEquals(812, thread.pid(), "a thread's calls belong to its process");
        assertEquals("/usr/bin/clamsubmit", thread.exe());
        assertEquals("clamsubmit -e user@mail.example -N Some Body -n /home/user/Documents/x.exe", thread.cmdline());
        ProcessInfo child = p.at(820, 1795424826_459999000L);
        assertEquals("/usr/bin/clamsubmit", child.exe(), "a forked child runs its parent's program until it execs");
        assertEquals(812, child.ppid());
        assertEquals("/bin/sh", p.at(820, 1795424826_460001000L).exe());
        ProcessInfo unknown = p.at(999, 1795424826_460001000L);
        assertNull(unknown.exe());
        assertEquals(999, unknown.pid());
    }

    @Test
    void sampledThreadsAndProcessesFillStracesGaps() {
        StraceNetworkParser.Trace t = StraceNetworkParser.parse(List.of(
                "40 1795424815.000000 execve(\"/usr/bin/python3\", [\"python3\", \"agent.py\"], 0x1 /* 3 vars */) = 0",
                "41 1795424816.000000 connect(4<TCP:[3035931]>, {sa_family=AF_INET, sin_port=htons(80), "
                        + "sin_addr=inet_addr(\"172.18.0.1\")}, 16) = 0"));
        ProcessInfo seen = new ProcessInfo(40, 9040, 1, "/usr/bin/python3.11", "python3 agent.py", false, 1000,
                "user", java.time.Instant.ofEpochSecond(1795424814));
        StraceProcesses p = new StraceProcesses(t, Map.of(41, 40), Map.of(40, seen));
        ProcessInfo info = p.at(41, 1795424816_000000000L);
        assertEquals(40, info.pid());
        assertEquals("/usr/bin/python3", info.exe(), "strace's program at the time of the call");
        assertEquals("user", info.user());
        assertEquals(9040, info.hostPid());
    }
}
