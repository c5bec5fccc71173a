#!/usr/bin/python3
# Load generator of the Kafka benchmark (kafka-bench.ts runs it with Debian's /usr/bin/python3):
# librdkafka through confluent-kafka. Prints one JSON object on stdout.
#
#   create   --bootstrap B --topic T --partitions P           CreateTopics, waits for the leaders
#   offsets  --bootstrap B --topic T --partitions P           the sum of the log end offsets
#   produce  --bootstrap B --topic T --records N --acks 1|all [--rate R]
#            records/s, MB/s and send->ack latency (librdkafka's own per-message measure) of every
#            --sample'th record
#   consume  --bootstrap B --topic T --partitions P --records N [--e2e]
#            records/s and MB/s from the first record received; with --e2e also the end-to-end
#            latency of every --sample'th record (now minus the time its producer wrote into it)
#
# Values are --record-bytes long and start with the producer's wall clock in microseconds
# (big-endian int64), refreshed every --sample records (every record with --rate).

import argparse
import json
import struct
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

STAMP = struct.Struct('>q')
CONSUME_BATCH_MAX = 100000
PACING_STEP_S = 0.0005


def percentiles(samples_ms):
    if not samples_ms:
        return None
    s = sorted(samples_ms)

    def at(q):
        return s[min(len(s) - 1, int(q * len(s)))]

    return {'p50': at(0.50), 'p99': at(0.99), 'p999': at(0.999), 'max': s[-1], 'samples': len(s)}


def common_config(args):
    return {'bootstrap.servers': args.bootstrap, 'socket.nagle.disable': True, 'log_level': 3}


def create(args):
    admin = AdminClient(common_config(args))
    futures = admin.create_topics([NewTopic(args.topic, args.partitions, 1)], operation_timeout=30)
    futures[args.topic].result(30)
    deadline = time.time() + 30
    while time.time() < deadline:
        md = admin.list_topics(args.topic, 10).topics.get(args.topic)
        if md is not None and md.error is None and len(md.partitions) == args.partitions and all(
            p.leader >= 0 and p.error is None for p in md.partitions.values()
        ):
            return {'topic': args.topic, 'partitions': args.partitions}
        time.sleep(0.05)
    raise SystemExit(f'topic {args.topic} has no leaders after 30 s')


def offsets(args):
    return {'topic': args.topic, 'logEndOffsets': stored_records(args, args.partitions)}


def produce(args):
    config = common_config(args)
    config.update({
        'acks': args.acks,
        'linger.ms': args.linger_ms,
        'batch.num.messages': 1000000,
        'batch.size': 1000000,
        'queue.buffering.max.messages': 2000000,
        'queue.buffering.max.kbytes': 2097151,
        'compression.type': 'none',
    })
    p = Producer(config)
    partitions = len(p.list_topics(args.topic, 30).topics[args.topic].partitions)
    stored_before = stored_records(args, partitions)
    latencies = []
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            latencies.append(msg.latency() * 1000.0)

    pad = b'x' * max(0, args.record_bytes - STAMP.size)
    send = p.produce
    poll = p.poll
    topic = args.topic
    n = args.records
    sample = args.sample
    pack = STAMP.pack
    clock_us = time.time_ns
    started = time.perf_counter()
    i = 0
    if args.rate > 0:
        i = paced(args, p, on_delivery, pad)
    while i < n:
        value = pack(clock_us() // 1000) + pad
        try:
            send(topic, value, on_delivery=on_delivery)
        except BufferError:
            poll(PACING_STEP_S)
            continue
        i += 1
        end = min(n, i + sample - 1)
        while i < end:
            try:
                send(topic, value)
            except BufferError:
                poll(PACING_STEP_S)
                continue
            i += 1
        poll(0)
    left = p.flush(120)
    seconds = time.perf_counter() - started
    stored = stored_records(args, partitions) - stored_before
    if stored != n - left:
        errors.append(f'{n - left} records acknowledged but the log end offsets moved by {stored}')
    return result(n - left, seconds, args.record_bytes, latencies, errors, 'latencyMs')


def stored_records(args, partitions):
    """The sum of the topic's log end offsets (ListOffsets latest), to check what was acknowledged."""
    c = Consumer({**common_config(args), 'group.id': 'kafka-bench-check', 'enable.auto.commit': False})
    try:
        return sum(c.get_watermark_offsets(TopicPartition(args.topic, p), 30, False)[1] for p in range(partitions))
    finally:
        c.close()


def paced(args, p, on_delivery, pad):
    """Produces --records at --rate records/s in small steps; returns how many were sent."""
    send, poll, pack, topic = p.produce, p.poll, STAMP.pack, args.topic
    n, rate, sample = args.records, args.rate, args.sample
    start = time.perf_counter()
    i = 0
    while i < n:
        due = min(n, int((time.perf_counter() - start) * rate) + 1)
        while i < due:
            value = pack(time.time_ns() // 1000) + pad
            try:
                if i % sample == 0:
                    send(topic, value, on_delivery=on_delivery)
                else:
                    send(topic, value)
            except BufferError:
                poll(PACING_STEP_S)
                continue
            i += 1
        poll(0)
        ahead = (i / rate) - (time.perf_counter() - start)
        if ahead > 0:
            time.sleep(min(ahead, PACING_STEP_S))
    return i


def consume(args):
    config = common_config(args)
    config.update({
        'group.id': 'kafka-bench',
        'enable.auto.commit': False,
        'enable.auto.offset.store': False,
        'enable.partition.eof': False,
        'fetch.wait.max.ms': 100,
        'max.partition.fetch.bytes': args.fetch_bytes,
        'fetch.max.bytes': max(args.fetch_bytes, 52428800),
        'queued.min.messages': 1000000,
        'queued.max.messages.kbytes': 1048576,
        'check.crcs': False,
    })
    c = Consumer(config)
    c.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in range(args.partitions)])
    n = args.records
    got = 0
    started = None
    latencies = []
    errors = []
    take = c.consume
    unpack = STAMP.unpack_from
    sample = args.sample
    deadline = time.time() + args.timeout
    while got < n and time.time() < deadline:
        if args.e2e:
            batch = take(min(CONSUME_BATCH_MAX, n - got), 0) or take(1, 0.1)
        else:
            batch = take(min(CONSUME_BATCH_MAX, n - got), 1.0)
        if not batch:
            continue
        if started is None:
            started = time.perf_counter()
        if args.e2e:
            now_us = time.time_ns() // 1000
            for m in batch[::sample]:
                v = m.value()
                if v is not None and len(v) >= STAMP.size:
                    latencies.append((now_us - unpack(v)[0]) / 1000.0)
        got += len(batch)
    seconds = time.perf_counter() - (started or time.perf_counter())
    # Error events would have been counted as records above; the positions tell the truth.
    positions = c.position([TopicPartition(args.topic, p) for p in range(args.partitions)])
    by_offsets = sum(max(0, tp.offset) for tp in positions)
    c.close()
    if by_offsets != got:
        errors.append(f'counted {got} records but the positions add up to {by_offsets}')
    if got < n:
        errors.append(f'consumed {got} of {n} records within {args.timeout} s')
    return result(got, seconds, args.record_bytes, latencies if args.e2e else [], errors, 'e2eLatencyMs')


def result(records, seconds, record_bytes, latencies, errors, latency_name):
    seconds = max(seconds, 1e-9)
    return {
        'records': records,
        'seconds': seconds,
        'recordsPerSec': records / seconds,
        'mbPerSec': records * record_bytes / seconds / 1e6,
        latency_name: percentiles(latencies),
        'errors': errors[:5],
        'errorCount': len(errors),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('command', choices=['create', 'offsets', 'produce', 'consume'])
    ap.add_argument('--bootstrap', required=True)
    ap.add_argument('--topic', required=True)
    ap.add_argument('--partitions', type=int, default=1)
    ap.add_argument('--records', type=int, default=1000000)
    ap.add_argument('--record-bytes', type=int, default=100)
    ap.add_argument('--acks', default='1')
    ap.add_argument('--rate', type=float, default=0, help='records/s; 0 = as fast as possible')
    ap.add_argument('--sample', type=int, default=64)
    ap.add_argument('--linger-ms', type=float, default=5)
    ap.add_argument('--fetch-bytes', type=int, default=1048576)
    ap.add_argument('--timeout', type=float, default=120)
    ap.add_argument('--e2e', action='store_true')
    args = ap.parse_args()
    try:
        commands = {'create': create, 'offsets': offsets, 'produce': produce, 'consume': consume}
        out = commands[args.command](args)
    except KafkaException as e:
        raise SystemExit(f'{args.command}: {e}')
    json.dump(out, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
