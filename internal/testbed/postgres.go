package testbed

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a throwaway PostgreSQL server: a fresh cluster (initdb) in a
// temporary directory, listening only on a unix socket in that directory,
// with trust authentication and durability off (tests only).
type Postgres struct {
	dir  string
	sock string
	cmd  *exec.Cmd
	done chan struct{}
}

var (
	pgOnce   sync.Once
	pgServer *Postgres
	pgErr    error
)

// pgBinary finds a PostgreSQL server binary: PATH first, then the Debian
// layout /usr/lib/postgresql/<version>/bin.
func pgBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", fmt.Errorf("%s not found on PATH or in /usr/lib/postgresql/*/bin (install the PostgreSQL server, e.g. postgresql-15)", name)
}

// StartPostgres returns the DSN of a new, empty database on the test
// package's PostgreSQL server, dropped when the test ends. The server is
// started on first use and shared by the package's tests; stop it from
// TestMain with StopPostgres (PostgresMain does both). Without PostgreSQL the
// test is skipped locally but FAILS under CI=true, as with moto.
func StartPostgres(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() { pgServer, pgErr = startPostgres() })
	if pgErr != nil {
		if CI() {
			t.Fatalf("PostgreSQL unavailable under CI: %v", pgErr)
		}
		t.Skipf("PostgreSQL unavailable: %v", pgErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := "t_" + strings.ToLower(rand.Text()[:16])
	admin, err := pgx.Connect(ctx, pgServer.DSN("postgres"))
	if err != nil {
		t.Fatalf("connecting to the test PostgreSQL: %v", err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, pgServer.DSN("postgres"))
		if err != nil {
			t.Errorf("dropping test database: %v", err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping test database: %v", err)
		}
	})
	return pgServer.DSN(name)
}

// PostgresMain is a TestMain body for packages that use StartPostgres: it
// runs next (testbed.Main when the package also needs moto, or m.Run) and
// then stops the PostgreSQL server.
func PostgresMain(m *testing.M, next func(*testing.M) int) int {
	if next == nil {
		next = (*testing.M).Run
	}
	code := next(m)
	StopPostgres()
	return code
}

// StopPostgres stops the package's PostgreSQL server, if one was started,
// and removes its files.
func StopPostgres() {
	if pgServer != nil {
		pgServer.Stop()
	}
}

// DSN is the connection string of a database on the server (unix socket).
func (p *Postgres) DSN(database string) string {
	q := url.Values{"host": {p.sock}, "user": {"postgres"}, "sslmode": {"disable"}}
	return "postgres:///" + url.PathEscape(database) + "?" + q.Encode()
}

// Stop shuts the server down (fast shutdown, then kill) and removes its files.
func (p *Postgres) Stop() {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	_ = os.RemoveAll(p.dir)
}

// asPostgresUser makes cmd run as the `postgres` system user when we are
// root (PostgreSQL refuses to run as root), and returns its uid/gid for
// chown; (-1, -1) when we are not root.
func asPostgresUser(cmds ...*exec.Cmd) (uid, gid int, err error) {
	if os.Geteuid() != 0 {
		return -1, -1, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return 0, 0, fmt.Errorf("running as root and PostgreSQL refuses root: no `postgres` system user to run it as: %w", err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	for _, c := range cmds {
		if c.SysProcAttr == nil {
			c.SysProcAttr = &syscall.SysProcAttr{}
		}
		c.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return uid, gid, nil
}

func startPostgres() (*Postgres, error) {
	initdb, err := pgBinary("initdb")
	if err != nil {
		return nil, err
	}
	server, err := pgBinary("postgres")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "awsgraph-pg-")
	if err != nil {
		return nil, err
	}
	p := &Postgres{dir: dir, sock: filepath.Join(dir, "sock"), done: make(chan struct{})}
	fail := func(err error) (*Postgres, error) {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := p.initCluster(initdb, server); err != nil {
		return fail(err)
	}
	if err := p.start(); err != nil {
		return fail(err)
	}
	return p.awaitConnections()
}

// initCluster runs initdb in the temporary directory and prepares the
// server command, both as the postgres user when running as root.
func (p *Postgres) initCluster(initdb, server string) error {
	data := filepath.Join(p.dir, "data")
	for _, d := range []string{p.sock, data} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
	}
	initCmd := exec.Command(initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	p.cmd = exec.Command(server, "-D", data, "-k", p.sock, "-c", "listen_addresses=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=100", "-c", "shared_buffers=128MB")
	// The server dies with the test binary even if StopPostgres is never
	// called (Go applies it after switching user; the starting thread is
	// locked in start because the signal follows that thread).
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	uid, gid, err := asPostgresUser(initCmd, p.cmd)
	if err != nil {
		return err
	}
	if uid >= 0 {
		for _, d := range []string{p.dir, p.sock, data} {
			if err := os.Chown(d, uid, gid); err != nil {
				return err
			}
		}
	}
	initCmd.Dir, p.cmd.Dir = p.dir, p.dir
	if out, err := initCmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	return nil
}

// start starts the server, logging to server.log; p.done closes when it exits.
func (p *Postgres) start() error {
	logFile, err := os.Create(filepath.Join(p.dir, "server.log"))
	if err != nil {
		return err
	}
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	started := make(chan error, 1)
	go func() {
		// Locked for the server's lifetime: Pdeathsig fires when the thread
		// that started the child exits.
		runtime.LockOSThread()
		err := p.cmd.Start()
		started <- err
		if err == nil {
			_ = p.cmd.Wait()
		}
		logFile.Close()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	return nil
}

// awaitConnections waits (30 s at most) until the server accepts a
// connection; a server that exits or never answers is stopped and removed.
func (p *Postgres) awaitConnections() (*Postgres, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, p.DSN("postgres"))
		cancel()
		if err == nil {
			_ = c.Close(context.Background())
			return p, nil
		}
		select {
		case <-p.done:
			log, _ := os.ReadFile(filepath.Join(p.dir, "server.log"))
			_ = os.RemoveAll(p.dir)
			return nil, fmt.Errorf("postgres exited: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, errors.Join(fmt.Errorf("postgres not accepting connections after 30s"), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StartPostgresServer starts a throwaway server outside a test (tools/bench);
// the caller stops it with Stop.
func StartPostgresServer() (*Postgres, error) { return startPostgres() }
