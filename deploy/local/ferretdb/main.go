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
//
// FerretDB decodes every document it reads or updates into many small
// objects, so its garbage collector took about a third of its CPU at the
// default GOGC of 100; the wrapper sets 400 unless GOGC is in the
// environment (the heap stays in the tens of megabytes).
//
// SQLite runs in WAL mode with synchronous=NORMAL (FerretDB's default is
// FULL): a commit is written to the WAL without waiting for the disk, and
// the WAL is synced at checkpoints. A killed FerretDB loses nothing it
// acknowledged; only an operating-system crash or a power cut can take back
// the last commits, which a local stack for development and tests can accept
// (production runs MongoDB). Each update statement is a transaction of its
// own in FerretDB 1.x, so this halves the cost of small updates.
//
// With FERRETDB_SLOW_MS set to a number of milliseconds, the proxy also logs
// every command that takes at least that long: the command, its
// database.collection, the names of the fields its filter uses (never their
// values) and how long FerretDB took. FerretDB 1.24 decodes the whole
// collection for any filter it cannot answer by a string _id, so these lines
// show which reads to turn into lookups by _id.
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
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/x/bsonx/bsoncore"
	"go.mongodb.org/mongo-driver/x/mongo/driver/wiremessage"
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
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}

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
		SQLiteURL: "file:" + *dataDir + "/?_pragma=synchronous(normal)",
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

	slow, err := slowCommandsFromEnv()
	if err != nil {
		log.Fatalf("%v", err)
	}
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
		go proxy(client, socket, &writes, slow)
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
func proxy(client net.Conn, socket string, writes *sync.Mutex, slow *slowCommands) {
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
		asked := time.Now()
		if isWrite {
			writes.Lock()
		}
		started := time.Now()
		var reply []byte
		reply, err = exchange(request, client, backend)
		if isWrite {
			writes.Unlock()
		}
		if slow != nil {
			slow.observe(request, reply, started.Sub(asked), time.Since(started))
		}
		if err != nil {
			return
		}
	}
}

// exchange sends one request to FerretDB and relays its replies to the client;
// it returns the first reply (nil for a fire-and-forget request).
func exchange(request []byte, client, backend net.Conn) ([]byte, error) {
	if _, err := backend.Write(request); err != nil {
		return nil, err
	}
	if moreToCome(request) {
		return nil, nil // fire-and-forget: no reply
	}
	var first []byte
	for {
		reply, err := readMessage(backend)
		if err != nil {
			return first, err
		}
		if first == nil {
			first = reply
		}
		if _, err := client.Write(reply); err != nil {
			return first, err
		}
		if !moreToCome(reply) {
			return first, nil
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

// slowCommands logs the commands that take at least threshold, when FERRETDB_SLOW_MS asks for it.
type slowCommands struct {
	threshold time.Duration
	logger    *slog.Logger
	cursors   sync.Map // cursor id → the description of the find or aggregate that opened it
	open      atomic.Int64
}

// maxCursors bounds the cursors remembered for their getMore: a cursor killed or left to expire is
// never seen closing, so the memory is simply dropped when it fills.
const maxCursors = 10000

func slowCommandsFromEnv() (*slowCommands, error) {
	setting := strings.TrimSpace(os.Getenv("FERRETDB_SLOW_MS"))
	if setting == "" {
		return nil, nil
	}
	ms, err := strconv.Atoi(setting)
	if err != nil || ms < 0 {
		return nil, fmt.Errorf("FERRETDB_SLOW_MS must be a whole number of milliseconds, not %q", setting)
	}
	log.Printf("logging commands that take %d ms or more", ms)
	return &slowCommands{
		threshold: time.Duration(ms) * time.Millisecond,
		logger:    slog.New(slog.NewTextHandler(os.Stderr, nil)),
	}, nil
}

// command is what the log says about one command: never a value, only names.
type command struct {
	name       string
	namespace  string
	filter     string // the filter's field names with their operators, e.g. "_id:$in,status"
	sort       string
	stages     string // an aggregate's stages, e.g. "$match>$group"
	statements int    // the update's or delete's statements, the insert's documents
}

func (s *slowCommands) observe(request, reply []byte, waited, took time.Duration) {
	cmd, ok := describe(request)
	if !ok {
		return
	}
	cursor, returned := cursorOf(reply)
	switch cmd.name {
	case "getMore":
		if id, ok := cursorID(request); ok {
			if opened, ok := s.cursors.Load(id); ok {
				origin := opened.(command)
				cmd.filter, cmd.sort, cmd.stages = origin.filter, origin.sort, origin.stages
				if cursor == 0 {
					s.cursors.Delete(id)
					s.open.Add(-1)
				}
			}
		}
	case "find", "aggregate":
		if cursor != 0 {
			if s.open.Add(1) > maxCursors {
				s.cursors.Clear()
				s.open.Store(1)
			}
			s.cursors.Store(cursor, cmd)
		}
	}
	if took < s.threshold {
		return
	}
	attrs := []any{
		"command", cmd.name, "ns", cmd.namespace, "filter", cmd.filter,
		"ms", float64(took.Microseconds()) / 1000,
	}
	if cmd.sort != "" {
		attrs = append(attrs, "sort", cmd.sort)
	}
	if cmd.stages != "" {
		attrs = append(attrs, "stages", cmd.stages)
	}
	if cmd.statements > 0 {
		attrs = append(attrs, "statements", cmd.statements)
	}
	if returned >= 0 {
		attrs = append(attrs, "returned", returned)
	}
	if waited > time.Millisecond {
		attrs = append(attrs, "waited_ms", waited.Milliseconds())
	}
	s.logger.Info("slow command", attrs...)
}

// describe reads an OP_MSG's command: its name (the body's first key), namespace and filter.
func describe(message []byte) (command, bool) {
	body, sequences, ok := sections(message)
	if !ok {
		return command{}, false
	}
	first, err := body.IndexErr(0)
	if err != nil {
		return command{}, false
	}
	cmd := command{name: first.Key()}
	database, _ := body.Lookup("$db").StringValueOK()
	collection, _ := first.Value().StringValueOK()
	if cmd.name == "getMore" {
		collection, _ = body.Lookup("collection").StringValueOK()
	}
	cmd.namespace = database + "." + collection
	if collection == "" {
		cmd.namespace = database
	}
	var filters []bsoncore.Document
	switch strings.ToLower(cmd.name) {
	case "find", "count", "distinct", "findandmodify":
		filters = documents(body, "filter", "query")
		cmd.sort = fieldNames(body.Lookup("sort"))
	case "update", "delete":
		statements := sequences["updates"]
		if cmd.name == "delete" {
			statements = sequences["deletes"]
		}
		if len(statements) == 0 {
			statements = arrayDocuments(body.Lookup(strings.ToLower(cmd.name) + "s"))
		}
		cmd.statements = len(statements)
		for _, statement := range statements {
			filters = append(filters, documents(statement, "q")...)
		}
	case "insert":
		cmd.statements = len(sequences["documents"]) + len(arrayDocuments(body.Lookup("documents")))
	case "aggregate":
		var stages []string
		for _, stage := range arrayDocuments(body.Lookup("pipeline")) {
			if element, err := stage.IndexErr(0); err == nil {
				stages = append(stages, element.Key())
				if match, ok := element.Value().DocumentOK(); ok && element.Key() == "$match" {
					filters = append(filters, match)
				}
			}
		}
		cmd.stages = strings.Join(stages, ">")
	}
	seen := map[string]bool{}
	var names []string
	for _, filter := range filters {
		for _, name := range strings.Split(filterNames(filter), ",") {
			if name != "" && !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	cmd.filter = strings.Join(names, ",")
	if cmd.filter == "" && filters != nil {
		cmd.filter = "{}"
	}
	return cmd, true
}

// sections splits an OP_MSG into its body and its document sequences (pymongo sends a bulk write's
// statements as a sequence).
func sections(message []byte) (bsoncore.Document, map[string][]bsoncore.Document, bool) {
	if opCode(message) != opMsg || len(message) < 21 {
		return nil, nil, false
	}
	rest := message[20:]
	if binary.LittleEndian.Uint32(message[16:20])&1 != 0 && len(rest) >= 4 { // checksumPresent
		rest = rest[:len(rest)-4]
	}
	var body bsoncore.Document
	sequences := map[string][]bsoncore.Document{}
	for len(rest) > 0 {
		kind, remaining, ok := wiremessage.ReadMsgSectionType(rest)
		if !ok {
			return nil, nil, false
		}
		switch kind {
		case wiremessage.SingleDocument:
			body, rest, ok = wiremessage.ReadMsgSectionSingleDocument(remaining)
		case wiremessage.DocumentSequence:
			var identifier string
			var docs []bsoncore.Document
			identifier, docs, rest, ok = wiremessage.ReadMsgSectionDocumentSequence(remaining)
			sequences[identifier] = docs
		default:
			return nil, nil, false
		}
		if !ok {
			return nil, nil, false
		}
	}
	return body, sequences, body != nil
}

func documents(parent bsoncore.Document, keys ...string) []bsoncore.Document {
	for _, key := range keys {
		if document, ok := parent.Lookup(key).DocumentOK(); ok {
			return []bsoncore.Document{document}
		}
	}
	return nil
}

func arrayDocuments(value bsoncore.Value) []bsoncore.Document {
	array, ok := value.ArrayOK()
	if !ok {
		return nil
	}
	values, _ := array.Values()
	var result []bsoncore.Document
	for _, v := range values {
		if document, ok := v.DocumentOK(); ok {
			result = append(result, document)
		}
	}
	return result
}

// filterNames lists a filter's field names, each with the operators applied to it ("_id:$in"), and
// goes into $and, $or and $nor; values are never read.
func filterNames(filter bsoncore.Document) string {
	elements, err := filter.Elements()
	if err != nil {
		return ""
	}
	var names []string
	for _, element := range elements {
		key := element.Key()
		switch key {
		case "$and", "$or", "$nor":
			var inner []string
			for _, clause := range arrayDocuments(element.Value()) {
				inner = append(inner, filterNames(clause))
			}
			names = append(names, key+"("+strings.Join(inner, "|")+")")
			continue
		}
		if operators, ok := element.Value().DocumentOK(); ok {
			if inner, err := operators.Elements(); err == nil && len(inner) > 0 && strings.HasPrefix(inner[0].Key(), "$") {
				var ops []string
				for _, op := range inner {
					ops = append(ops, op.Key())
				}
				key += ":" + strings.Join(ops, ":")
			}
		}
		names = append(names, key)
	}
	return strings.Join(names, ",")
}

func fieldNames(value bsoncore.Value) string {
	document, ok := value.DocumentOK()
	if !ok {
		return ""
	}
	elements, _ := document.Elements()
	var names []string
	for _, element := range elements {
		names = append(names, element.Key())
	}
	return strings.Join(names, ",")
}

func cursorID(request []byte) (int64, bool) {
	body, _, ok := sections(request)
	if !ok {
		return 0, false
	}
	return body.Lookup("getMore").AsInt64OK()
}

// cursorOf reads a reply's cursor id and how many documents its batch holds (-1 when it has none).
func cursorOf(reply []byte) (int64, int) {
	body, _, ok := sections(reply)
	if !ok {
		return 0, -1
	}
	cursor, ok := body.Lookup("cursor").DocumentOK()
	if !ok {
		return 0, -1
	}
	id, _ := cursor.Lookup("id").AsInt64OK()
	batch, ok := cursor.Lookup("firstBatch").ArrayOK()
	if !ok {
		batch, ok = cursor.Lookup("nextBatch").ArrayOK()
	}
	returned := -1
	if ok {
		values, _ := batch.Values()
		returned = len(values)
	}
	return id, returned
}
