"""Running the app under uvicorn, one process or several workers sharing one listening socket."""

from __future__ import annotations

import socket

import uvicorn

APP = "mlops_maturity.web.app:app_from_env"


class Config(uvicorn.Config):
    """uvicorn's settings, with the workers' listening socket created with its protocol named.

    uvicorn binds that socket with protocol 0, and asyncio then leaves TCP_NODELAY off on the
    connections the workers accept: a response written in two pieces waits ~40 ms for the
    client's delayed ACK. (A single process binds through asyncio, which gets it right.)
    Module level: the workers receive it pickled."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock


def run(host: str, port: int, workers: int) -> None:
    config = Config(APP, factory=True, host=host, port=port, workers=workers, proxy_headers=True, server_header=False, log_level="info")
    if workers == 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    try:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    except KeyboardInterrupt:
        pass
