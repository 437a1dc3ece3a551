// Command ferretdb runs an embedded FerretDB 1.24 (SQLite backend) for local
// development and tests. Embedding the library avoids the stock binary's
// start-up panic when built outside FerretDB's own repository.
//
// FerretDB 1.x applies an update by reading the matching documents and then
// writing them back in a separate step, so two concurrent writes to the same
// document can overwrite each other (a lost update), which MongoDB never does.
// The platform relies on single-document atomicity (optimistic versions, the
// outbox inside the aggregate, idempotent consumers), so this wrapper puts a
// small wire-protocol proxy in front of FerretDB that lets one write command
// through at a time. Reads are not held up. SQLite serialises writes anyway,
// so the cost is small.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

const (
	opMsg         = 2013
	maxMessage    = 48 * 1024 * 1024
	moreToComeBit = 1 << 1
)

// writeCommands change documents; they are the ones that must not interleave.
var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findandmodify": true,
}

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "data", "directory for SQLite database files")
	flag.Parse()

	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		log.Fatalf("create data directory: %v", err)
	}
	socket, err := socketFor(*dataDir)
	if err != nil {
		log.Fatalf("choose the socket: %v", err)
	}
	_ = os.Remove(socket) // left by a FerretDB killed on the same data directory
	defer os.Remove(socket)

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: socket},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/",
	})
	if err != nil {
		log.Fatalf("start FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("listen on %s: %v", *listen, err)
	}
	go func() {
		<-ctx.Done()
		listener.Close()
	}()
	go func() {
		if err := f.Run(ctx); err != nil {
			log.Fatalf("FerretDB stopped: %v", err)
		}
	}()

	log.Printf("FerretDB listening on %s", *listen)
	var writes sync.Mutex
	for {
		client, err := listener.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Printf("accept: %v", err)
			continue
		}
		go proxy(client, socket, &writes)
	}
}

// socketFor names FerretDB's own socket after the data directory, in the temporary directory: a Unix
// socket's path is limited to 107 bytes, which a test's nested data directory exceeds.
func socketFor(dataDir string) (string, error) {
	absolute, err := filepath.Abs(dataDir)
	if err != nil {
		return "", err
	}
	name := fnv.New64a()
	_, _ = name.Write([]byte(absolute))
	return filepath.Join(os.TempDir(), fmt.Sprintf("ferretdb-%016x.sock", name.Sum64())), nil
}

// proxy relays one client connection to FerretDB, holding the write lock from
// the moment a write command is sent until its reply is back.
func proxy(client net.Conn, socket string, writes *sync.Mutex) {
	defer client.Close()
	backend, err := dialWithRetry(socket)
	if err != nil {
		log.Printf("connect to FerretDB: %v", err)
		return
	}
	defer backend.Close()

	for {
		request, err := readMessage(client)
		if err != nil {
			return
		}
		isWrite := isWriteCommand(request)
		if isWrite {
			writes.Lock()
		}
		err = exchange(request, client, backend)
		if isWrite {
			writes.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func exchange(request []byte, client, backend net.Conn) error {
	if _, err := backend.Write(request); err != nil {
		return err
	}
	if moreToCome(request) {
		return nil // fire-and-forget: no reply
	}
	for {
		reply, err := readMessage(backend)
		if err != nil {
			return err
		}
		if _, err := client.Write(reply); err != nil {
			return err
		}
		if !moreToCome(reply) {
			return nil
		}
	}
}

func dialWithRetry(socket string) (net.Conn, error) {
	var lastErr error
	for attempt := 0; attempt < 100; attempt++ {
		conn, err := net.Dial("unix", socket)
		if err == nil {
			return conn, nil
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	return nil, lastErr
}

func readMessage(r io.Reader) ([]byte, error) {
	var header [4]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	length := int(binary.LittleEndian.Uint32(header[:]))
	if length < 16 || length > maxMessage {
		return nil, errors.New("invalid wire message length")
	}
	message := make([]byte, length)
	copy(message, header[:])
	if _, err := io.ReadFull(r, message[4:]); err != nil {
		return nil, err
	}
	return message, nil
}

func opCode(message []byte) int32 {
	return int32(binary.LittleEndian.Uint32(message[12:16]))
}

func moreToCome(message []byte) bool {
	return opCode(message) == opMsg && len(message) >= 20 &&
		binary.LittleEndian.Uint32(message[16:20])&moreToComeBit != 0
}

// isWriteCommand reads the command name: the first key of an OP_MSG's body section.
func isWriteCommand(message []byte) bool {
	if opCode(message) != opMsg || len(message) < 26 || message[20] != 0 {
		return false
	}
	// body: int32 document length, then the first element: type byte, name (C string)
	name := message[26:]
	end := 0
	for end < len(name) && name[end] != 0 {
		end++
	}
	return writeCommands[strings.ToLower(string(name[:end]))]
}
