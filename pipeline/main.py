"""Entry point of the Dataflow Flex Template and of ``python -m pipeline.main``: the batch tagging job."""

import logging
import sys

from pipeline.tagging import run

if __name__ == "__main__":
    logging.getLogger().setLevel(logging.INFO)
    run(sys.argv[1:])
