//go:build windows

package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// createSpill makes the spill file with FILE_FLAG_DELETE_ON_CLOSE: Windows refuses to
// remove an open file, but deletes this one when its handle closes, also when the
// process is killed, so personal data never outlives the run. os.OpenFile passes the
// flag on since Go 1.26. Spill.Close still removes the name, in case it was not honoured.
func createSpill(dir string) (*os.File, error) {
	for range 100 {
		var b [8]byte
		rand.Read(b[:])
		name := filepath.Join(dir, ".purgeset-spill-"+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|windows.O_FILE_FLAG_DELETE_ON_CLOSE, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, errors.New("no unused temporary file name after 100 tries")
}
