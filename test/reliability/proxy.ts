import net from 'node:net';

/**
 * A TCP proxy between the app and MariaDB that the test cuts and restores, so the database
 * "goes away" for the app while the machine's MariaDB keeps running for everyone else.
 */
export class DbProxy {
  private server = net.createServer((client) => this.accept(client));
  private sockets = new Set<net.Socket>();
  private cut = false;
  private holding = false;
  private waiting: net.Socket[] = [];
  port = 0;
  /** Connections the proxy refused or dropped while cut. */
  dropped = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  private accept(client: net.Socket): void {
    if (this.holding) {
      // A black hole: the connection opens and nothing ever answers.
      client.on('error', () => undefined);
      this.waiting.push(client);
      return;
    }
    if (this.cut) {
      this.dropped += 1;
      client.destroy();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      // A reset on one side closes the other; errors are the point of the test, not failures.
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Drops every open connection and refuses new ones, as a database that crashed would. */
  cutAll(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
    this.dropped += this.sockets.size;
    this.sockets.clear();
  }

  /** Stops every byte in both directions without closing anything, as a network partition does. */
  hold(): void {
    this.holding = true;
    for (const s of this.sockets) s.pause();
  }

  restore(): void {
    this.cut = false;
    if (this.holding) {
      this.holding = false;
      for (const s of this.sockets) s.resume();
      for (const client of this.waiting.splice(0)) this.accept(client);
    }
  }

  get isCut(): boolean {
    return this.cut;
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
