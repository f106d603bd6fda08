package writers

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// linkFile is os.Link; tests replace it to act as a file system without hard links.
var linkFile = os.Link

// PlaceNew moves the finished, closed file tmp to path without replacing a file that
// is there: a hard link fails when path exists, even one made a moment ago, where a
// rename would replace it. File systems without hard links (FAT and exFAT drives, some
// SMB shares) get a check and a rename instead, which leaves only that moment open:
// without it, a report would fail there after all its work was done. An existing path
// is an error wrapping fs.ErrExist; tmp is gone when PlaceNew succeeds.
func PlaceNew(tmp, path string) error {
	err := linkFile(tmp, path)
	if err == nil {
		os.Remove(tmp)
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: %w", path, fs.ErrExist)
	}
	if _, serr := os.Lstat(path); !errors.Is(serr, fs.ErrNotExist) {
		return fmt.Errorf("%s exists: %w", path, fs.ErrExist)
	}
	return os.Rename(tmp, path)
}
