package dev.setrec.jobs.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Creates the topics a job needs and waits until they can take writes. */
public final class Topics {
    private static final short REPLICATION_FACTOR = 1;
    private static final long LEADER_POLL_MILLIS = 50;

    private Topics() {
    }

    /**
     * Creates each missing topic with its partition count and a single replica (a topic that exists already is left
     * as it is), then waits until every partition of every topic has a leader: an idempotent producer that writes to
     * a topic whose leader is still being elected can drop a batch (KAFKA-15591).
     *
     * @throws TimeoutException if that takes longer than {@code timeout}; the message names what was missing
     */
    public static void ensure(String bootstrapServers, Map<String, Integer> partitionsByTopic, Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        try {
            createMissing(admin, partitionsByTopic, deadline);
            awaitLeaders(admin, partitionsByTopic.keySet(), deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while ensuring topics " + partitionsByTopic.keySet(), e);
        } finally {
            admin.close(Duration.ZERO); // nothing is pending on success; on a timeout, do not wait any longer
        }
    }

    private record Deadline(long nanoTime, Duration timeout) {
        static Deadline after(Duration timeout) {
            return new Deadline(System.nanoTime() + timeout.toNanos(), timeout);
        }

        long remainingNanos() {
            return Math.max(0, nanoTime - System.nanoTime());
        }

        <T> T await(KafkaFuture<T> future) throws ExecutionException, InterruptedException,
                java.util.concurrent.TimeoutException {
            return future.get(remainingNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private static void createMissing(Admin admin, Map<String, Integer> partitionsByTopic, Deadline deadline)
            throws InterruptedException {
        List<NewTopic> topics = partitionsByTopic.entrySet().stream()
                .map(topic -> new NewTopic(topic.getKey(), topic.getValue(), REPLICATION_FACTOR))
                .toList();
        for (Map.Entry<String, KafkaFuture<Void>> created : admin.createTopics(topics).values().entrySet()) {
            try {
                deadline.await(created.getValue());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create topic " + created.getKey() + ": " + e.getCause(),
                            e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new TimeoutException("topic " + created.getKey() + " was not created within "
                        + deadline.timeout() + " (is the broker reachable?)", e);
            }
        }
    }

    private static void awaitLeaders(Admin admin, Collection<String> topics, Deadline deadline)
            throws InterruptedException {
        String missing = partitionsWithoutLeader(admin, topics, deadline);
        while (!missing.isEmpty()) {
            if (deadline.remainingNanos() == 0) {
                throw new TimeoutException("no leader within " + deadline.timeout() + " for " + missing);
            }
            Thread.sleep(Math.min(LEADER_POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(deadline.remainingNanos())));
            missing = partitionsWithoutLeader(admin, topics, deadline);
        }
    }

    /** What cannot take writes yet, readably; empty when every partition has a leader. */
    private static String partitionsWithoutLeader(Admin admin, Collection<String> topics, Deadline deadline)
            throws InterruptedException {
        Map<String, TopicDescription> descriptions;
        try {
            descriptions = deadline.await(admin.describeTopics(topics).allTopicNames());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return "topics not yet in the broker's metadata (" + e.getCause().getMessage() + ")";
            }
            throw new IllegalStateException("could not describe topics " + topics + ": " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            return "topics " + topics + " (describeTopics got no answer)";
        }
        return descriptions.values().stream()
                .flatMap(topic -> topic.partitions().stream()
                        .filter(partition -> hasNoLeader(partition.leader()))
                        .map(partition -> topic.name() + "-" + partition.partition()))
                .collect(Collectors.joining(", "));
    }

    private static boolean hasNoLeader(Node leader) {
        return leader == null || leader.isEmpty();
    }
}
