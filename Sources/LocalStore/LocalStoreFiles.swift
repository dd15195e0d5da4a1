#if canImport(Glibc)
import Glibc
#endif

/// The files of a store's directory (RocksDB keeps them flat in one directory).
enum LocalStoreFiles {
    /// The sum of the sizes of the regular files in `directory` (0 if it cannot be read).
    static func bytes(in directory: String) -> Int {
        var total = 0
        forEachEntry(directory) { path, isDirectory in
            var st = stat()
            if !isDirectory, stat(path, &st) == 0 { total += Int(st.st_size) }
        }
        return total
    }

    /// Removes `path` and everything under it; nil on success (also when it does not exist),
    /// else a message naming what could not be removed.
    static func removeTree(_ path: String) -> String? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return errno == ENOENT ? nil : "stat \(path): \(String(cString: strerror(errno)))" }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            var failure: String?
            forEachEntry(path) { child, _ in
                if failure == nil { failure = removeTree(child) }
            }
            if let failure { return failure }
            return rmdir(path) == 0 ? nil : "rmdir \(path): \(String(cString: strerror(errno)))"
        }
        return unlink(path) == 0 ? nil : "unlink \(path): \(String(cString: strerror(errno)))"
    }

    /// Calls `body` with the path of every entry of `directory` but `.` and `..`, and whether it
    /// is a directory.
    /// (The names are read first, so `body` may remove entries.)
    private static func forEachEntry(_ directory: String, _ body: (String, Bool) -> Void) {
        guard let dir = opendir(directory) else { return }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names {
            let path = directory + "/" + name
            var st = stat()
            body(path, lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR)
        }
    }
}
