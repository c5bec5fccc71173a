// A sarama program with its default configuration (as the sarama 1.22 docs show it), used by the
// interop tests: `produce` sends lines with NewSyncProducer/SendMessage, `consume` reads a
// partition from the oldest offset with NewConsumer/ConsumePartition, `group` joins a consumer
// group (which needs a protocol version >= 0.10.2) and prints what it is assigned and consumes.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/Shopify/sarama"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}

func produce(brokers []string, topic string) {
	config := sarama.NewConfig()
	config.Producer.Return.Successes = true
	producer, err := sarama.NewSyncProducer(brokers, config)
	if err != nil {
		fail(err)
	}
	defer producer.Close()
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		partition, offset, err := producer.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(scanner.Text())})
		if err != nil {
			fail(err)
		}
		fmt.Printf("sent %d/%d\n", partition, offset)
	}
}

func consume(brokers []string, topic string, count int) {
	consumer, err := sarama.NewConsumer(brokers, sarama.NewConfig())
	if err != nil {
		fail(err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		fail(err)
	}
	defer pc.Close()
	timeout := time.After(20 * time.Second)
	for i := 0; i < count; i++ {
		select {
		case m := <-pc.Messages():
			fmt.Printf("%d %s\n", m.Offset, string(m.Value))
		case err := <-pc.Errors():
			fail(err)
		case <-timeout:
			fail(fmt.Errorf("timed out after %d messages", i))
		}
	}
}

type handler struct {
	want  int
	seen  int
	done  chan struct{}
}

func (h *handler) Setup(s sarama.ConsumerGroupSession) error {
	for topic, partitions := range s.Claims() {
		fmt.Printf("assigned %s %v\n", topic, partitions)
	}
	return nil
}
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *handler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		fmt.Printf("%d/%d %s\n", m.Partition, m.Offset, string(m.Value))
		s.MarkMessage(m, "")
		h.seen++
		if h.seen == h.want {
			close(h.done)
		}
	}
	return nil
}

func group(brokers []string, topic, groupID string, count int) {
	config := sarama.NewConfig()
	config.Version = sarama.V1_0_0_0
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	config.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
	g, err := sarama.NewConsumerGroup(brokers, groupID, config)
	if err != nil {
		fail(err)
	}
	h := &handler{want: count, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ctx.Err() == nil {
			if err := g.Consume(ctx, []string{topic}, h); err != nil && ctx.Err() == nil {
				fail(err)
			}
		}
	}()
	select {
	case <-h.done:
	case <-time.After(30 * time.Second):
		fail(fmt.Errorf("timed out after %d messages", h.seen))
	}
	time.Sleep(300 * time.Millisecond) // let the marked offsets be committed
	cancel()
	g.Close()
}

func main() {
	if len(os.Args) < 4 {
		fail(fmt.Errorf("usage: sarama-client produce|consume|group brokers topic [count] [group]"))
	}
	brokers := strings.Split(os.Args[2], ",")
	topic := os.Args[3]
	count := 0
	if len(os.Args) > 4 {
		count, _ = strconv.Atoi(os.Args[4])
	}
	switch os.Args[1] {
	case "produce":
		produce(brokers, topic)
	case "consume":
		consume(brokers, topic, count)
	case "group":
		group(brokers, topic, os.Args[5], count)
	default:
		fail(fmt.Errorf("unknown mode %s", os.Args[1]))
	}
}
