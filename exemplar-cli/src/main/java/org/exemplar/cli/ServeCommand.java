package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.exemplar.data.DataException;
import org.exemplar.index.ExplanationIndex;
import org.exemplar.linalg.MappedDots;
import org.exemplar.server.AnnSearch;
import org.exemplar.server.ExplanationServer;
import org.exemplar.server.LuceneAnn;
import org.exemplar.server.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar serve}: the HTTP API and page over an explanation index until SIGTERM / Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve an explanation index: JSON API (/v1/explain, /openapi.json), metrics and a web page at /.")
final class ServeCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--index", required = true, paramLabel = "DIR", description = "An index from 'exemplar index build'.")
    Path index;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only).")
    String bind;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Require 'Authorization: Bearer TOKEN' (first line of FILE).")
    Path tokenFile;

    @Option(names = "--ann", description = "Answer approximately through the index's HNSW graphs (built with 'index build --ann').")
    boolean ann;

    @Option(names = "--workers", description = "Queries computed at once (default: the number of cores).")
    Integer workers;

    @Option(names = "--queue", description = "Requests allowed to wait for a worker before 503 (default: 4 x workers).")
    Integer queue;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        String token = null;
        if (tokenFile != null) {
            if (!Files.isRegularFile(tokenFile)) {
                throw new DataException(tokenFile, "token file not found");
            }
            String s = Files.readString(tokenFile).lines().findFirst().orElse("").strip();
            if (s.isEmpty()) {
                throw new DataException(tokenFile, "holds no token on its first line");
            }
            token = s;
        }
        ServerSettings d = ServerSettings.defaults();
        int wk = workers == null ? d.workers() : workers;
        ServerSettings st = d.withBind(bind).withPort(port).withToken(token).withPool(wk, queue == null ? 4 * wk : queue);
        ExplanationIndex idx = ExplanationIndex.open(index);
        AnnSearch a = ann ? LuceneAnn.open(idx) : null;
        ExplanationServer server = new ExplanationServer(idx, a, st).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (a != null) {
                a.close();
            }
            stopped.countDown();
        }, "exemplar-shutdown"));
        w.println("serving " + idx.method() + " index " + index + " (" + idx.size() + " training points"
                + (ann ? ", ANN" : ", exact") + ") on http://" + bind + ":" + server.port() + "/"
                + (token != null ? " (bearer token required)" : ""));
        w.println(MappedDots.notice());
        w.flush();
        stopped.await();
        return 0;
    }
}
