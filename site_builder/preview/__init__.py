"""The preview server: watch the project, rebuild on change, serve and reload."""
