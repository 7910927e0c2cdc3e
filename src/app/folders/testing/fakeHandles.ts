/**
 * In-memory stand-ins for File System Access handles, for unit tests: a directory is a tree the
 * test edits between scans (add, rename, remove files) as a user would in the real folder.
 */
export class FakeFileHandle {
  readonly kind = 'file';
  constructor(
    public name: string,
    public file: File,
  ) {}

  getFile(): Promise<File> {
    return Promise.resolve(
      new File([this.file], this.name, { type: this.file.type, lastModified: this.file.lastModified }),
    );
  }
}

export class FakeDirectoryHandle {
  readonly kind = 'directory';
  permission: PermissionState = 'granted';
  /** When set, reading this directory fails with it. */
  failure: DOMException | null = null;

  constructor(
    public name: string,
    public children: (FakeDirectoryHandle | FakeFileHandle)[] = [],
  ) {}

  async *values(): AsyncGenerator<FakeDirectoryHandle | FakeFileHandle> {
    if (this.failure !== null) throw this.failure;
    await Promise.resolve();
    yield* this.children;
  }

  queryPermission(): Promise<PermissionState> {
    return Promise.resolve(this.permission);
  }

  /** Puts a file at `path` ("2024/a.jpg"), making the folders on the way. */
  write(path: string, bytes: string, lastModified = 1_700_000_000_000): File {
    const names = path.split('/');
    const name = names.pop() ?? path;
    const dir = names.reduce<FakeDirectoryHandle>((parent, part) => parent.child(part), this);
    const file = new File([bytes], name, { lastModified });
    dir.children = [...dir.children.filter((child) => child.name !== name), new FakeFileHandle(name, file)];
    return file;
  }

  /** The subfolder `name`, made if missing. */
  child(name: string): FakeDirectoryHandle {
    let next = this.children.find(
      (child): child is FakeDirectoryHandle => child.kind === 'directory' && child.name === name,
    );
    if (next === undefined) {
      next = new FakeDirectoryHandle(name);
      this.children.push(next);
    }
    return next;
  }

  delete(name: string): void {
    this.children = this.children.filter((child) => child.name !== name);
  }

  rename(from: string, to: string): void {
    const entry = this.children.find((child) => child.name === from);
    if (entry !== undefined) entry.name = to;
  }

  asHandle(): FileSystemDirectoryHandle {
    // The fake has what the scan uses of a directory handle; the rest is never called.
    return this as unknown as FileSystemDirectoryHandle;
  }
}
