"""Attribution: which shares earned a pledge, and how much of it each earned."""
