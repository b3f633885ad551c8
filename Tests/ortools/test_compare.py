"""Self-test of compare.py's instance reader, .sol writer and LP checker (python3 -m unittest in
this folder; needs OR-Tools like the script)."""

import os
import tempfile
import unittest

import compare

# Two requests on a line: 1 -> 3 and 2 -> 4; routes of at most 480, rides of at most 30.
TINY = "2 2 480 3 30\n0 0 0 0 0 0 480\n1 1 0 3 1 0 1440\n2 2 0 3 1 0 1440\n3 3 0 3 -1 0 1440\n4 4 0 3 -1 0 1440\n5 0 0 0 0 0 480\n"


class CompareTests(unittest.TestCase):
    def instance(self, text=TINY):
        handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        handle.write(text)
        handle.close()
        self.addCleanup(os.unlink, handle.name)
        return compare.Instance(handle.name)

    def test_a_good_plan_is_feasible_and_costed_in_doubles(self):
        instance = self.instance()
        feasible, served, problems = compare.lp_check(instance, [[1, 2, 3, 4]])
        self.assertEqual((feasible, served, problems), (True, 2, []))
        self.assertEqual(compare.solution_text(instance, [[], [1, 2, 3, 4]]), "route 1: 1 2 3 4\ncost 8.00\n")

    def test_order_capacity_ride_and_duration_are_checked(self):
        instance = self.instance()
        self.assertFalse(compare.lp_check(instance, [[3, 1, 2, 4]])[0])
        # Capacity 1 cannot carry both at once.
        small = self.instance(TINY.replace("2 2 480 3 30", "2 2 480 1 30"))
        self.assertFalse(small.capacity > 1 or compare.lp_check(small, [[1, 2, 3, 4]])[0])
        self.assertTrue(compare.lp_check(small, [[1, 3, 2, 4]])[0])
        # Rides of at most 2 minutes: each request alone (2 minutes of driving), not both together.
        short = self.instance(TINY.replace("2 2 480 3 30", "2 2 480 3 2"))
        self.assertFalse(compare.lp_check(short, [[1, 2, 3, 4]])[0])
        self.assertTrue(compare.lp_check(short, [[1, 3], [2, 4]])[0])
        # Routes of at most 10 minutes: 8 of driving and 12 of service do not fit.
        brief = self.instance(TINY.replace("2 2 480 3 30", "2 2 10 3 30"))
        self.assertFalse(compare.lp_check(brief, [[1, 2, 3, 4]])[0])

    def test_windows_bind_and_late_departures_are_allowed(self):
        # Drop-off 3 starts in [100, 101]: the vehicle leaves late (or waits) and makes it.
        late = self.instance(TINY.replace("3 3 0 3 -1 0 1440", "3 3 0 3 -1 100 101"))
        self.assertTrue(compare.lp_check(late, [[1, 3], [2, 4]])[0])
        # By 5 it cannot: 1 to drive to 1, 3 of service, 2 to drive on.
        early = self.instance(TINY.replace("3 3 0 3 -1 0 1440", "3 3 0 3 -1 0 5"))
        self.assertFalse(compare.lp_check(early, [[1, 3], [2, 4]])[0])

    def test_ortools_serves_the_tiny_instance_feasibly(self):
        instance = self.instance()
        routes, _, _ = compare.solve_with_ortools(instance, 1)
        self.assertTrue(compare.lp_check(instance, [route for route in routes if route])[0])
        self.assertAlmostEqual(sum(instance.route_cost(route) for route in routes), 8.0)


if __name__ == "__main__":
    unittest.main()
