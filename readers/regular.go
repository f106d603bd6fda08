package readers

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular marks a path that is not a regular file: a named pipe, a device, a
// socket or a directory. Reading one could hang (a FIFO waits for a writer, Ctrl-C
// cannot end that) or never end (/dev/zero).
var ErrNotRegular = errors.New("not a regular file")

// OpenRegular opens path for reading only if it is a regular file (symbolic links are
// followed). The open itself never blocks: a FIFO is opened without waiting for a
// writer, then refused.
func OpenRegular(path string) (*os.File, error) {
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: it is %s", ErrNotRegular, kindOf(fi.Mode()))}
	}
	return f, nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// notRegularError is the input problem (exit 3) for a path that is not a regular file.
func notRegularError(name string, err error) error {
	if !errors.Is(err, ErrNotRegular) {
		return nil
	}
	return &ParseError{File: name, Msg: pathErrText(err),
		Hint: "save the export to a file and name that file (a pipe, device or directory cannot be read)"}
}

// ErrTooLarge marks a file over the size a reader accepts.
var ErrTooLarge = errors.New("file too large")

// ReadSmallFile reads a regular file of at most max bytes (a config file): never a
// FIFO, a device or a file that grows without end. Its problems are *ParseError
// (exit 3) naming the file; name is the path as the user gave it.
func ReadSmallFile(path, name string, max int64) ([]byte, error) {
	f, err := OpenRegular(path)
	if err != nil {
		if pe := notRegularError(name, err); pe != nil {
			return nil, pe
		}
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &ParseError{File: name, Msg: fmt.Sprintf("the file is larger than %d KiB, far more than a file of this kind holds", max>>10),
			Hint: "name the right file; a config file is a few lines of TOML"}
	}
	return b, nil
}
