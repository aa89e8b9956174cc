"""The check scripts' report: one line per check, "ok" or "FAIL"."""


class Checklist:
    def __init__(self):
        self.fails = 0

    def __call__(self, name, ok):
        self.fails += not ok
        print("%s %s" % ("ok  " if ok else "FAIL", name))

    def exit_status(self):
        """1 if any check failed, else 0."""
        return 1 if self.fails else 0


def package_checks():
    """What the checks of a package share: torch (2 threads, seeded), torch.nn, torch.nn.functional, a Checklist, the
    package folder (the first argument, else models/crack-detector/v3) and the sample frames' folder."""
    import os
    import sys
    import torch
    torch.set_num_threads(2)
    torch.manual_seed(0)
    models = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    return (torch, torch.nn, torch.nn.functional, Checklist(), sys.argv[1] if len(sys.argv) > 1 else os.path.join(models, "v3"),
            os.path.join(models, "samples"))
