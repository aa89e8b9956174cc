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
