import { useState } from 'react';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import CheckIcon from '@mui/icons-material/Check';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { splitFixText } from '@kler/plugin-environments-common';

/** Copies a command; says "Copied" for a moment so the reader knows it worked. */
const CopyCommandButton = (props: { command: string }) => {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await window.navigator.clipboard.writeText(props.command);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard (an insecure origin): the command stays selectable.
      setCopied(false);
    }
  };
  const label = copied ? 'Copied' : 'Copy command';
  return (
    <Tooltip title={label}>
      <IconButton size="small" aria-label={label} onClick={copy}>
        {copied ? (
          <CheckIcon fontSize="small" />
        ) : (
          <ContentCopyIcon fontSize="small" />
        )}
      </IconButton>
    </Tooltip>
  );
};

/** A proposed fix: prose as text, each command as code on its own line with a copy button. */
export const FixText = (props: { fix: string }) => (
  <Box>
    {splitFixText(props.fix).map((part, index) =>
      part.kind === 'text' ? (
        <Typography key={index} variant="body2" component="span">
          {part.text}
        </Typography>
      ) : (
        <Box
          key={index}
          sx={{
            display: 'flex',
            alignItems: 'flex-start',
            gap: 0.5,
            my: 0.5,
            pl: 1,
            borderLeft: 3,
            borderColor: 'divider',
            bgcolor: 'action.hover',
            borderRadius: 1,
          }}
        >
          <Box
            component="code"
            sx={{
              flex: 1,
              py: 0.75,
              fontFamily: 'monospace',
              fontSize: '0.8125rem',
              whiteSpace: 'pre-wrap',
              wordBreak: 'break-all',
            }}
          >
            {part.text}
          </Box>
          <CopyCommandButton command={part.text} />
        </Box>
      ),
    )}
  </Box>
);
