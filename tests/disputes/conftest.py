# The body fixtures are shared with the boards tests.
from tests.boards.conftest import active_board, board, overview

__all__ = ["active_board", "board", "overview"]
