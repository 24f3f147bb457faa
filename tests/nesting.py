"""Values nested deeper than any record may be, built without recursion."""


def deep_list(levels: int) -> list:
    """A list holding a list … `levels` deep: [[[…]]]."""
    outer = inner = []
    for _ in range(levels):
        inner.append([])
        inner = inner[0]
    return outer
