package org.egressaudit.harness.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code egress-audit} command. */
@Command(name = "egress-audit", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Audits what an endpoint security agent sends off the machine it protects.",
        subcommands = {AnalyzeCommand.class, RunCommand.class, ReportCommand.class, DiffCommand.class,
                ImagesCommand.class,
                CorpusCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:PASS", "1:FAIL or OPAQUE", "2:bad usage or unreadable input",
                "3:the sandbox could not be set up"})
public final class EgressAudit implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try --help)");
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with the given writers; returns the exit code (used by tests). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new EgressAudit());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("egress-audit: internal error: " + ex);
            ex.printStackTrace(commandLine.getErr());
            return ExitCodes.BAD_INPUT;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
