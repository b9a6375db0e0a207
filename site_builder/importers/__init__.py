"""Bring articles in from elsewhere: scraped text, feeds and other generators' sites."""
