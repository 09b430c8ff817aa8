"""Atende's adapter to the ISP billing system (SGP/TSMX first)."""
