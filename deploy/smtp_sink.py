"""A stand-in mail relay for deploy/smoke.sh: accepts every message over plain SMTP on loopback and
writes each to DIR/<n>.eml. Standard library only (runs with any Python 3.11+, in or out of the venv).
Never point production at it: it delivers nothing.

    python3 deploy/smtp_sink.py 127.0.0.1 8122 /tmp/mail
"""
import asyncio
import itertools
import sys
from pathlib import Path

COUNTER = itertools.count(1)


async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, folder: Path) -> None:
    def say(line: str) -> None:
        writer.write(line.encode() + b"\r\n")

    say("220 smtp-sink ready")
    while line := await reader.readline():
        verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
        if verb == "DATA":
            say("354 end with <CRLF>.<CRLF>")
            await writer.drain()
            lines = []
            while (chunk := await reader.readline()) not in (b".\r\n", b".\n", b""):
                lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
            path = folder / f"{next(COUNTER)}.eml"
            path.with_suffix(".part").write_bytes(b"".join(lines))
            path.with_suffix(".part").rename(path)
            say("250 queued")
        elif verb == "QUIT":
            say("221 bye")
            await writer.drain()
            break
        else:  # EHLO/HELO, MAIL, RCPT, RSET, NOOP: all accepted
            say("250 ok")
        await writer.drain()
    writer.close()


async def main(host: str, port: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    server = await asyncio.start_server(lambda r, w: session(r, w, folder), host, port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])))
