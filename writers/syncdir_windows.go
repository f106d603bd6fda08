//go:build windows

package writers

// syncDir does nothing on Windows: FlushFileBuffers refuses a directory handle ("Access
// is denied", see github.com/microsoft/go/issues/1907), which would fail every commit,
// and NTFS journals the renames (MoveFileEx) itself. The files were synced before.
func syncDir(string) error { return nil }
